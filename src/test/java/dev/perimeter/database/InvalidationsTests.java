package dev.perimeter.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.cost.Pricing;
import dev.perimeter.cost.Rates;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import dev.perimeter.tenant.TenantManagement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two replicas on one database: the API key and tunnel caches of one replica forget a row as soon as the other
 * replica's change commits, never put a revoked key back while requests race the revocation, and stop answering while
 * their change listener is disconnected.
 */
class InvalidationsTests {

    private static Replicas replicas;
    private static String tenant;

    @BeforeAll
    static void start() {
        replicas = Replicas.start(
                2,
                Map.of(
                        "perimeter.jobs.enabled", "false",
                        "perimeter.sandbox.default-region", "eu-1",
                        "perimeter.cache.heartbeat", "PT1S"));
        tenant = "t-" + UUID.randomUUID().toString().substring(0, 12);
        replicas.api(0)
                .post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("id", tenant, "displayName", tenant))
                .send();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> replicas.bean(0, Invalidations.class).listening()
                        && replicas.bean(1, Invalidations.class).listening());
    }

    @AfterAll
    static void stop() {
        replicas.close();
    }

    private record Key(String id, String secret) {}

    private static Key issueKey() {
        Api.Response issued = replicas.api(0)
                .post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "k"))
                .send();
        assertThat(issued.status()).isEqualTo(201);
        return new Key(
                issued.json().get("id").asString(), issued.json().get("key").asString());
    }

    private static int usageStatus(int replica, Key key) {
        return replicas.api(replica).get("/v1/usage").key(key.secret()).send().status();
    }

    private static void revoke(int replica, Key key) {
        assertThat(replicas.api(replica)
                        .delete("/v1/tenants/" + tenant + "/api-keys/" + key.id())
                        .key(ApiTestSupport.ADMIN_KEY)
                        .send()
                        .status())
                .isEqualTo(200);
    }

    /** Another replica hears of a change within a second; checked every 5 ms. */
    private static ConditionFactory withinASecond() {
        return Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5));
    }

    private record Sent(long startNanos, long endNanos, int status) {}

    /**
     * Four threads call replica 1 with a key while replica 0 revokes it, twenty times over: replica 1 refuses the key
     * within a second, and once it has refused it, no request sent later gets through (no read that raced the revocation
     * put the key back in the cache).
     */
    @Test
    void aKeyRevokedOnOneReplicaIsRefusedOnTheOtherFromThenOn() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 20; round++) {
                Key key = issueKey();
                assertThat(usageStatus(1, key)).isEqualTo(200);
                ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
                AtomicBoolean go = new AtomicBoolean(true);
                List<Future<?>> callers = java.util.stream.IntStream.range(0, 4)
                        .mapToObj(n -> threads.submit(() -> {
                            while (go.get()) {
                                long start = System.nanoTime();
                                int status = usageStatus(1, key);
                                sent.add(new Sent(start, System.nanoTime(), status));
                            }
                        }))
                        .<Future<?>>map(future -> future)
                        .toList();
                Thread.sleep(30);
                long revokedAt = System.nanoTime();
                revoke(0, key);
                withinASecond().until(() -> sent.stream().anyMatch(s -> s.status() == 401));
                Thread.sleep(50);
                go.set(false);
                for (Future<?> caller : callers) {
                    caller.get();
                }
                long firstRefusal = sent.stream()
                        .filter(s -> s.status() == 401)
                        .mapToLong(Sent::endNanos)
                        .min()
                        .orElseThrow();
                assertThat(sent).allMatch(s -> s.status() == 200 || s.status() == 401);
                assertThat(sent.stream().filter(s -> s.endNanos() < revokedAt))
                        .as("round %d: answered before the revocation began", round)
                        .allMatch(s -> s.status() == 200);
                assertThat(sent.stream().filter(s -> s.startNanos() > firstRefusal))
                        .as("round %d: sent after replica 1 first refused the key", round)
                        .isNotEmpty()
                        .allMatch(s -> s.status() == 401);
            }
        }
    }

    /** An archive on one replica answers 410 on the other from the next call, though the other had the row cached. */
    @Test
    void aTunnelArchivedOnOneReplicaIsRefusedOnTheOther() {
        Key key = issueKey();
        Api.Response tunnel = replicas.api(0)
                .post("/v1/tunnels")
                .key(key.secret())
                .json(Map.of("name", "n"))
                .send();
        assertThat(tunnel.status()).as(tunnel.text()).isEqualTo(201);
        String id = tunnel.json().get("id").asString();
        for (int i = 0; i < 2; i++) {
            assertThat(replicas.api(1)
                            .post("/v1/tunnels/" + id + "/mcp")
                            .key(key.secret())
                            .json("{}")
                            .send()
                            .status())
                    .as("no agent connected")
                    .isEqualTo(503);
        }
        assertThat(replicas.api(0)
                        .delete("/v1/tunnels/" + id)
                        .key(key.secret())
                        .send()
                        .status())
                .isEqualTo(200);
        withinASecond()
                .until(() -> replicas.api(1)
                                .post("/v1/tunnels/" + id + "/mcp")
                                .key(key.secret())
                                .json("{}")
                                .send()
                                .status()
                        == 410);
    }

    /**
     * A quota set and a price changed through replica 0 reach replica 1's cached tenant and price list within a second,
     * though replica 1 had read both before.
     */
    @Test
    void tenantAndPriceChangesOnOneReplicaReachTheOthersCache() {
        TenantManagement tenants1 = replicas.bean(1, TenantManagement.class);
        Pricing pricing1 = replicas.bean(1, Pricing.class);
        String provider = "cache-test-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(tenants1.current(tenant).getQuota().maxParallelSandboxes()).isNull();
        assertThat(pricing1.ratesOf(provider)).isEqualTo(Rates.FREE);

        Api admin = replicas.api(0);
        assertThat(admin.put("/v1/tenants/" + tenant + "/quota")
                        .key(ApiTestSupport.ADMIN_KEY)
                        .json(Map.of("maxParallelSandboxes", 3))
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(admin.put("/v1/pricing/" + provider)
                        .key(ApiTestSupport.ADMIN_KEY)
                        .json(Map.of(
                                "vcpuSecondUsd", "0.00002",
                                "memoryGibSecondUsd", "0.000003",
                                "gpuSecondUsd", "0",
                                "perCreateUsd", "0.01",
                                "snapshotGbMonthUsd", "0.05"))
                        .send()
                        .status())
                .isEqualTo(200);

        withinASecond().untilAsserted(() -> {
            assertThat(tenants1.current(tenant).getQuota().maxParallelSandboxes())
                    .isEqualTo(3);
            assertThat(pricing1.ratesOf(provider).perCreateUsd()).isEqualByComparingTo("0.01");
        });
        admin.put("/v1/tenants/" + tenant + "/quota")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of())
                .send();
    }

    /**
     * A key revoked behind Perimeter's back (no notice) still works from the cache, which shows the cache is used; once
     * the change listener's session is killed, the caches stop answering, the key is read afresh and refused, and the
     * listener comes back on its own.
     */
    @Test
    void withoutItsListenerAReplicaReadsEveryKeyFromTheDatabase() {
        Key key = issueKey();
        assertThat(usageStatus(1, key)).isEqualTo(200);
        JdbcClient jdbc = replicas.bean(0, JdbcClient.class);
        jdbc.sql("update api_keys set revoked_at = now() where id = ?")
                .param(key.id())
                .update();
        assertThat(usageStatus(1, key)).as("cached, and no notice was sent").isEqualTo(200);

        Invalidations replica1 = replicas.bean(1, Invalidations.class);
        for (int replica = 0; replica < 2; replica++) {
            assertThat(jdbc.sql("select pg_terminate_backend(?)")
                            .param(replicas.bean(replica, Invalidations.class).listenerPid())
                            .query(Boolean.class)
                            .single())
                    .isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> usageStatus(1, key) == 401);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(replica1::listening);
        assertThat(usageStatus(1, key)).isEqualTo(401);
    }
}
