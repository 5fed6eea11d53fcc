package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A token rotated on one replica while the tunnel is archived on another never brings the tunnel back: whichever
 * comes first, the tunnel ends archived, and a rotation that came first is answered, one that came second refused.
 */
class ConcurrentTunnelChangesTests {

    private static final int ROUNDS = 25;

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
    void aRotationRacingAnArchiveNeverUnarchives() throws Exception {
        Api first = replicas.api(0);
        Api second = replicas.api(1);
        String key = tenantKey(first);

        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            for (int round = 1; round <= ROUNDS; round++) {
                Api.Response registered = first.post("/v1/tunnels")
                        .key(key)
                        .json(Map.of("name", "race-" + round, "region", "eu-1"))
                        .send();
                assertThat(registered.status()).as(registered.text()).isEqualTo(201);
                String id = registered.json().get("id").asString();

                CountDownLatch start = new CountDownLatch(1);
                Future<Api.Response> rotation = threads.submit(() -> {
                    start.await();
                    return first.post("/v1/tunnels/" + id + "/rotate-token")
                            .key(key)
                            .send();
                });
                Future<Api.Response> archive = threads.submit(() -> {
                    start.await();
                    return second.delete("/v1/tunnels/" + id).key(key).send();
                });
                start.countDown();

                assertThat(archive.get().status()).as(archive.get().text()).isEqualTo(200);
                assertThat(rotation.get().status()).as(rotation.get().text()).isIn(200, 410);
                Api.Response shown = second.get("/v1/tunnels/" + id).key(key).send();
                assertThat(shown.json().get("status").asString())
                        .as(
                                "round %d, rotation answered %d",
                                round, rotation.get().status())
                        .isEqualTo("ARCHIVED");
            }
        }
    }

    private static String tenantKey(Api api) {
        String tenant = "tunnel-race-" + System.nanoTime();
        Api.Response created = api.post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("id", tenant, "displayName", "Tunnel race"))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Api.Response key = api.post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "orchestrator"))
                .send();
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.json().get("key").asString();
    }
}
