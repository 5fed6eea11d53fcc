package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas schedule the work loop against one database and one queue: the per-environment lock lets one poll at a
 * time, every item gets exactly one sandbox however often it is delivered, and when a replica goes away the other
 * takes the queue over.
 */
class ReplicaPollingTests {

    private static final String ADMIN = ApiTestSupport.ADMIN_KEY;

    @Test
    void twoReplicasGiveEachItemExactlyOneSandboxAndTheSurvivorTakesOver() throws Exception {
        FakeWorkQueue queue = AnthropicFake.shared().queue();
        try (Replicas replicas = Replicas.start(
                2,
                Map.of(
                        "perimeter.connector.anthropic.base-url", AnthropicFake.baseUrl(),
                        "perimeter.connector.anthropic.poll-interval", "PT0.2S",
                        "perimeter.connector.anthropic.watch-interval", "PT1H"))) {
            Api api = replicas.api(1);
            String tenant = "t-" + UUID.randomUUID().toString().substring(0, 12);
            assertThat(api.post("/v1/tenants")
                            .key(ADMIN)
                            .json(Map.of("id", tenant, "displayName", tenant))
                            .send()
                            .status())
                    .isEqualTo(201);
            String tenantKey = api.post("/v1/tenants/" + tenant + "/api-keys")
                    .key(ADMIN)
                    .json(Map.of("name", "orchestrator"))
                    .send()
                    .json()
                    .get("key")
                    .asString();
            String key = "ant-env-key-" + UUID.randomUUID();
            String environmentId = queue.newEnvironment(key);
            Path keyFile = Files.writeString(Files.createTempFile("environment-key", ".txt"), key);
            Api.Response bound = api.post("/v1/connectors/anthropic/environments")
                    .key(ADMIN)
                    .json(Map.of(
                            "tenantId",
                            tenant,
                            "environmentId",
                            environmentId,
                            "environmentKeyRef",
                            "file:" + keyFile,
                            "egress",
                            "DENY_ALL",
                            "workerCommand",
                            ConnectorTestSupport.SLEEPING_WORKER))
                    .send();
            assertThat(bound.status()).as(bound.text()).isEqualTo(201);
            String bindingId = bound.json().get("id").asString();
            try {
                List<String> work = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    work.add(queue.enqueue(environmentId, "sesn_replica" + i));
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> running(api, tenantKey) == 6);
                AnthropicFake.shared().advance(Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> work.stream().allMatch(id -> queue.deliveries(id) >= 2));
                assertThat(sandboxes(api, tenantKey)).hasSize(6);
                assertThat(running(api, tenantKey)).isEqualTo(6);

                String job = WorkLoop.JOB_PREFIX + bindingId;
                long ran = runs(replicas, 0, job, "ran") + runs(replicas, 1, job, "ran");
                long skipped = runs(replicas, 0, job, "skipped") + runs(replicas, 1, job, "skipped");
                assertThat(ran).isPositive();
                assertThat(skipped)
                        .as("the other replica found the environment's lock taken")
                        .isPositive();

                replicas.contexts().get(0).close();
                String late = queue.enqueue(environmentId, "sesn_after");
                await().atMost(Duration.ofSeconds(90)).until(() -> sandboxes(api, tenantKey).stream()
                        .anyMatch(sandbox -> sandbox.get("agentId").asString().equals("sesn_after")));
                assertThat(sandboxes(api, tenantKey).stream()
                                .filter(sandbox ->
                                        sandbox.get("agentId").asString().equals("sesn_after"))
                                .count())
                        .isEqualTo(1);
                assertThat(queue.acks(late)).isEqualTo(1);
            } finally {
                api.delete("/v1/connectors/anthropic/environments/" + bindingId)
                        .key(ADMIN)
                        .send();
                for (JsonNode sandbox : sandboxes(api, tenantKey)) {
                    api.delete("/v1/sandboxes/" + sandbox.get("id").asString())
                            .key(tenantKey)
                            .send();
                }
            }
        }
    }

    private static List<JsonNode> sandboxes(Api api, String tenantKey) {
        List<JsonNode> all = new ArrayList<>();
        api.get("/v1/sandboxes?limit=500")
                .key(tenantKey)
                .send()
                .json()
                .get("items")
                .forEach(all::add);
        return all;
    }

    private static long running(Api api, String tenantKey) {
        return sandboxes(api, tenantKey).stream()
                .filter(sandbox -> sandbox.get("state").asString().equals("RUNNING"))
                .count();
    }

    private static long runs(Replicas replicas, int index, String job, String outcome) {
        if (!replicas.contexts().get(index).isActive()) {
            return 0;
        }
        Timer timer = replicas.bean(index, MeterRegistry.class)
                .find("perimeter.jobs.runs")
                .tag("job", job)
                .tag("outcome", outcome)
                .timer();
        return timer == null ? 0 : timer.count();
    }
}
