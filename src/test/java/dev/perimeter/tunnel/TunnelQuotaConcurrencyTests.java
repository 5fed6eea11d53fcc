package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two replicas on one database, many threads registering tunnels for one tenant at once, round after round with
 * archives racing the registers: the tenant never holds more live tunnels than its {@code maxTunnels}.
 */
class TunnelQuotaConcurrencyTests {

    private static final int LIMIT = 5;
    private static final int REGISTERS_PER_ROUND = 60;

    private static Replicas replicas;

    @BeforeAll
    static void start() {
        replicas = Replicas.start(2, Map.of("perimeter.jobs.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        replicas.close();
    }

    @Test
    void registersRacingOnTwoReplicasNeverPassMaxTunnels() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 12);
        Api admin = replicas.api(0);
        assertThat(admin.post("/v1/tenants")
                        .key(ApiTestSupport.ADMIN_KEY)
                        .json(Map.of("id", tenant, "displayName", tenant, "quota", Map.of("maxTunnels", LIMIT)))
                        .send()
                        .status())
                .isEqualTo(201);
        String key = admin.post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "o"))
                .send()
                .json()
                .get("key")
                .asString();
        JdbcClient jdbc = replicas.bean(0, JdbcClient.class);
        for (int round = 0; round < 10; round++) {
            List<String> live = jdbc.sql("select id from tunnels where tenant_id = :t and archived_at is null")
                    .param("t", tenant)
                    .query(String.class)
                    .list();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Response>> registers = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < REGISTERS_PER_ROUND; i++) {
                    Api api = replicas.api(i % 2);
                    registers.add(threads.submit(() -> {
                        go.await();
                        return api.post("/v1/tunnels")
                                .key(key)
                                .json(Map.of("name", "n", "region", "eu-1"))
                                .send();
                    }));
                }
                for (int i = 0; i < live.size(); i++) {
                    Api api = replicas.api((i + 1) % 2);
                    String id = live.get(i);
                    threads.submit(() -> {
                        go.await();
                        return api.delete("/v1/tunnels/" + id).key(key).send();
                    });
                }
                go.countDown();
                int admitted = 0;
                for (Future<Api.Response> register : registers) {
                    Api.Response response = register.get();
                    if (response.status() == 201) {
                        admitted++;
                    } else {
                        assertThat(response.status()).as(response.text()).isEqualTo(429);
                    }
                }
                assertThat(admitted).as("admitted in round %d", round).isBetween(1, LIMIT);
            }
            assertThat(jdbc.sql("select count(*) from tunnels where tenant_id = :t and archived_at is null")
                            .param("t", tenant)
                            .query(Long.class)
                            .single())
                    .isLessThanOrEqualTo(LIMIT);
        }
    }
}
