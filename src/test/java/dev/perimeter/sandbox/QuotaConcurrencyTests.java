package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 3: two replicas (application contexts) on one database, racing creates and destroys from many threads,
 * never admit more sandboxes than a tenant's or an agent's limit, and the counters always equal the live rows.
 */
class QuotaConcurrencyTests {

    private static final int CREATES_PER_ROUND = 100;
    private static final int ROUNDS = 20;

    private static Replicas replicas;
    private static JdbcClient jdbc;

    @BeforeAll
    static void startTwoReplicas() {
        replicas = Replicas.start(2, Map.of("perimeter.jobs.enabled", "false"));
        jdbc = replicas.bean(0, JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        replicas.close();
    }

    @Test
    void tenantLimitAdmitsExactlySevenAndNeverAnEighth() throws Exception {
        String tenant = tenantWith(Map.of("maxParallelSandboxes", 7));
        String key = keyFor(tenant);
        int totalAdmitted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<String> live = liveIds(tenant);
            LivePeak peak = LivePeak.watch(() -> liveCount(tenant));
            Outcome outcome = race(key, live, i -> Map.of());
            peak.stop();
            assertThat(peak.max())
                    .as("live sandboxes seen during round %d", round)
                    .isLessThanOrEqualTo(7);
            assertThat(outcome.rejections).allSatisfy(rejection -> assertQuotaProblem(rejection, "TENANT", 7));
            assertThat(outcome.admitted + outcome.rejections.size()).isEqualTo(CREATES_PER_ROUND);
            if (round == 0) {
                assertThat(outcome.admitted).as("admitted with no sandbox live").isEqualTo(7);
            }
            assertThat(liveCount(tenant)).isLessThanOrEqualTo(7);
            int[] counterAndLive = counterAndLiveRows(tenant);
            assertThat(counterAndLive[0])
                    .as("counter after round %d, read with the live rows in one snapshot", round)
                    .isEqualTo(counterAndLive[1]);
            awaitDestroysFinished(tenant);
            totalAdmitted += outcome.admitted;
        }
        assertThat(totalAdmitted).as("slots freed by destroys are reused").isGreaterThan(7 * ROUNDS / 2);
    }

    @Test
    void agentLimitAdmitsExactlyThreePerAgent() throws Exception {
        String tenant = tenantWith(Map.of("maxParallelSandboxesPerAgent", 3));
        String key = keyFor(tenant);
        for (int round = 0; round < 5; round++) {
            List<String> live = liveIds(tenant);
            LivePeak peak = LivePeak.watch(() -> busiestAgent(tenant));
            Outcome outcome = race(key, live, i -> Map.of("agentId", "agent-" + (i % 2)));
            peak.stop();
            assertThat(peak.max())
                    .as("sandboxes of one agent during round %d", round)
                    .isLessThanOrEqualTo(3);
            assertThat(outcome.rejections).allSatisfy(rejection -> assertQuotaProblem(rejection, "AGENT", 3));
            if (round == 0) {
                assertThat(outcome.admitted).isEqualTo(6);
            }
            awaitDestroysFinished(tenant);
            for (String agent : List.of("agent-0", "agent-1")) {
                assertThat(agentCounter(tenant, agent)).isEqualTo(liveCount(tenant, agent));
            }
        }
    }

    /** One round: {@link #CREATES_PER_ROUND} creates and a destroy of every live sandbox, all at once. */
    private Outcome race(String key, List<String> live, java.util.function.IntFunction<Map<String, Object>> body)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Api.Response>> creates = new ArrayList<>();
        List<Future<Api.Response>> destroys = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CREATES_PER_ROUND; i++) {
                Api api = replicas.api(i % 2);
                Map<String, Object> request = body.apply(i);
                creates.add(threads.submit(() -> {
                    start.await();
                    return api.post("/v1/sandboxes").key(key).json(request).send();
                }));
            }
            for (int i = 0; i < live.size(); i++) {
                Api api = replicas.api((i + 1) % 2);
                String id = live.get(i);
                destroys.add(threads.submit(() -> {
                    start.await();
                    return api.delete("/v1/sandboxes/" + id).key(key).send();
                }));
            }
            start.countDown();
            Outcome outcome = new Outcome();
            for (Future<Api.Response> create : creates) {
                Api.Response response = create.get();
                if (response.status() == 201) {
                    outcome.admitted++;
                } else {
                    outcome.rejections.add(response);
                }
            }
            for (Future<Api.Response> destroy : destroys) {
                assertThat(destroy.get().status()).isEqualTo(200);
            }
            return outcome;
        }
    }

    private static void assertQuotaProblem(Api.Response rejection, String scope, int limit) {
        assertThat(rejection.status()).as(rejection.text()).isEqualTo(429);
        assertThat(rejection.header("Content-Type")).startsWith("application/problem+json");
        assertThat(rejection.header("Retry-After")).isNotBlank();
        JsonNode problem = rejection.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://perimeter.dev/problems/quota-exceeded");
        assertThat(problem.get("scope").asString()).isEqualTo(scope);
        assertThat(problem.get("limit").asInt()).isEqualTo(limit);
        assertThat(problem.get("current").asInt()).isBetween(limit, limit);
    }

    private static final class Outcome {
        int admitted;
        final List<Api.Response> rejections = new ArrayList<>();
    }

    /** Polls a count from its own thread while a round runs and keeps the highest value seen. */
    private static final class LivePeak {
        private final AtomicInteger max = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private LivePeak(Supplier<Integer> count) {
            thread = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    max.accumulateAndGet(count.get(), Math::max);
                }
            });
        }

        static LivePeak watch(Supplier<Integer> count) {
            return new LivePeak(count);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        int max() {
            return max.get();
        }
    }

    private static String tenantWith(Map<String, Object> quota) {
        String id = "q-" + UUID.randomUUID().toString().substring(0, 12);
        Map<String, Object> body = new HashMap<>();
        body.put("id", id);
        body.put("displayName", "Quota " + id);
        body.put("quota", quota);
        Api.Response created = replicas.api(0)
                .post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(body)
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return id;
    }

    private static String keyFor(String tenant) {
        Api.Response key = replicas.api(1)
                .post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "orchestrator"))
                .send();
        assertThat(key.status()).isEqualTo(201);
        return key.json().get("key").asString();
    }

    private static List<String> liveIds(String tenant) {
        return jdbc.sql("select id from sandboxes where tenant_id = ? and state in ('PROVISIONING', 'RUNNING')")
                .param(tenant)
                .query(String.class)
                .list();
    }

    /** A DELETE answers DESTROYING and finishes in the background; the counters follow when it does. */
    private static void awaitDestroysFinished(String tenant) {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> jdbc.sql("select count(*) from sandboxes where tenant_id = ? and state = 'DESTROYING'")
                                .param(tenant)
                                .query(Integer.class)
                                .single()
                        == 0);
    }

    private static int liveCount(String tenant) {
        return jdbc.sql(
                        """
                        select count(*) from sandboxes
                        where tenant_id = ? and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')""")
                .param(tenant)
                .query(Integer.class)
                .single();
    }

    private static int liveCount(String tenant, String agent) {
        return jdbc.sql(
                        """
                        select count(*) from sandboxes
                        where tenant_id = ? and agent_id = ? and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')""")
                .params(tenant, agent)
                .query(Integer.class)
                .single();
    }

    private static int busiestAgent(String tenant) {
        return jdbc.sql(
                        """
                        select coalesce(max(n), 0) from (
                            select count(*) as n from sandboxes
                            where tenant_id = ? and state in ('PROVISIONING', 'RUNNING', 'DESTROYING')
                            group by agent_id) per_agent""")
                .param(tenant)
                .query(Integer.class)
                .single();
    }

    /** The tenant's counter and its live rows, read in one statement so that both come from one snapshot. */
    private static int[] counterAndLiveRows(String tenant) {
        return jdbc.sql(
                        """
                        select (select active_sandboxes from tenant_counters where tenant_id = :tenant),
                               (select count(*) from sandboxes where tenant_id = :tenant
                                  and state in ('PROVISIONING', 'RUNNING', 'DESTROYING'))""")
                .param("tenant", tenant)
                .query((rs, row) -> new int[] {rs.getInt(1), rs.getInt(2)})
                .single();
    }

    private static int agentCounter(String tenant, String agent) {
        return jdbc.sql("select active_sandboxes from agent_counters where tenant_id = ? and agent_id = ?")
                .params(tenant, agent)
                .query(Integer.class)
                .optional()
                .orElse(0);
    }
}
