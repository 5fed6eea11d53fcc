package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import dev.perimeter.support.Simultaneously;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
        String key = ApiTestSupport.newTenant(first).key();

        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            for (int round = 1; round <= ROUNDS; round++) {
                Api.Response registered = first.post("/v1/tunnels")
                        .key(key)
                        .json(Map.of("name", "race-" + round, "region", "eu-1"))
                        .send();
                assertThat(registered.status()).as(registered.text()).isEqualTo(201);
                String id = registered.json().get("id").asString();

                List<Api.Response> answers = Simultaneously.run(
                        threads,
                        List.of(
                                () -> first.post("/v1/tunnels/" + id + "/rotate-token")
                                        .key(key)
                                        .send(),
                                () -> second.delete("/v1/tunnels/" + id)
                                        .key(key)
                                        .send()));
                Api.Response rotation = answers.get(0);
                Api.Response archive = answers.get(1);

                assertThat(archive.status()).as(archive.text()).isEqualTo(200);
                assertThat(rotation.status()).as(rotation.text()).isIn(200, 410);
                Api.Response shown = second.get("/v1/tunnels/" + id).key(key).send();
                assertThat(shown.json().get("status").asString())
                        .as("round %d, rotation answered %d", round, rotation.status())
                        .isEqualTo("ARCHIVED");
            }
        }
    }
}
