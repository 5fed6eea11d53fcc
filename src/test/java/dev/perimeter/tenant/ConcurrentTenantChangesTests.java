package dev.perimeter.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import dev.perimeter.support.Simultaneously;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Admins changing different parts of one tenant at the same moment, on two replicas, all keep their change: a merge
 * patch of the name, the quota, the budget and the allowed regions, each sent at once, repeated.
 */
class ConcurrentTenantChangesTests {

    private static final int ROUNDS = 20;

    private static Replicas replicas;

    @BeforeAll
    static void startTwoReplicas() {
        replicas = Replicas.start(2, Map.of("perimeter.jobs.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        replicas.close();
    }

    @Test
    void concurrentChangesToDifferentFieldsAreAllKept() throws Exception {
        Api first = replicas.api(0);
        Api second = replicas.api(1);
        String tenant = "concurrent-" + System.nanoTime();
        Api.Response created = first.post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("id", tenant, "displayName", "start"))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);

        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int round = 1; round <= ROUNDS; round++) {
                String path = "/v1/tenants/" + tenant;
                int value = round;
                List<Callable<Api.Response>> changes = List.of(
                        () -> first.patch(path)
                                .key(ApiTestSupport.ADMIN_KEY)
                                .content("application/merge-patch+json", "{\"displayName\":\"name-" + value + "\"}")
                                .send(),
                        () -> second.put(path + "/quota")
                                .key(ApiTestSupport.ADMIN_KEY)
                                .json(Map.of("maxParallelSandboxes", value))
                                .send(),
                        () -> first.put(path + "/budget")
                                .key(ApiTestSupport.ADMIN_KEY)
                                .json(Map.of("limitUsd", value + ".00", "period", "MONTHLY", "onExhausted", "DENY_NEW"))
                                .send(),
                        () -> second.patch(path)
                                .key(ApiTestSupport.ADMIN_KEY)
                                .content("application/merge-patch+json", "{\"allowedRegions\":[\"r-" + value + "\"]}")
                                .send());
                for (Api.Response answer : Simultaneously.run(threads, changes)) {
                    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
                }

                JsonNode shown =
                        second.get(path).key(ApiTestSupport.ADMIN_KEY).send().json();
                assertThat(shown.get("displayName").asString())
                        .as("round %d", round)
                        .isEqualTo("name-" + round);
                assertThat(shown.at("/quota/maxParallelSandboxes").asInt())
                        .as("round %d", round)
                        .isEqualTo(round);
                assertThat(shown.at("/budget/limitUsd").asString())
                        .as("round %d", round)
                        .isEqualTo(round + ".00");
                assertThat(shown.at("/allowedRegions/0").asString())
                        .as("round %d", round)
                        .isEqualTo("r-" + round);
            }
        }
    }
}
