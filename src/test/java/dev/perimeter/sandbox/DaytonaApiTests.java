package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.daytona.DaytonaFake;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Perimeter's REST API on the Daytona provider against a fake Daytona: a create that hits a vendor fault answers a
 * clear problem, fails its row and frees its quota slot, and a sandbox Daytona made too late is reaped by the
 * reconciler.
 */
@ExtendWith(OutputCaptureExtension.class)
class DaytonaApiTests extends ApiTestSupport {

    private static final DaytonaFake FAKE = new DaytonaFake();

    @Autowired
    ProviderReconciler reconciler;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void daytona(DynamicPropertyRegistry registry) {
        registry.add("perimeter.providers.daytona.api-key", () -> DaytonaFake.API_KEY);
        registry.add("perimeter.providers.daytona.api-url", FAKE::apiUrl);
        registry.add("perimeter.providers.daytona.connection.request-timeout", () -> "1s");
        registry.add("perimeter.providers.daytona.connection.initial-backoff", () -> "20ms");
        registry.add("perimeter.providers.daytona.connection.poll-interval", () -> "20ms");
    }

    @AfterAll
    static void stopFake() {
        FAKE.close();
    }

    @BeforeEach
    void cleanFake() {
        FAKE.reset();
    }

    @AfterEach
    void requestsFollowedDaytonasDocumentsAndNoLogShowedTheKey(CapturedOutput output) {
        assertThat(FAKE.violations()).isEmpty();
        assertThat(output.getAll()).doesNotContain(DaytonaFake.API_KEY);
    }

    @Test
    void aSandboxOnDaytonaRunsCommandsThroughTheApi() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "daytona", "region", "us"));
        String id = sandbox.get("id").asString();

        JsonNode result = exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo hi; echo err >&2; exit 4")));

        assertThat(sandbox.get("state").asString()).isEqualTo("RUNNING");
        assertThat(sandbox.get("providerRef").asString())
                .isEqualTo(FAKE.liveSandboxNamed(id).orElseThrow().get("id").asString());
        assertThat(result.get("exitCode").asInt()).isEqualTo(4);
        assertThat(result.get("stdout").asString()).isEqualTo("hi\n");
        assertThat(result.get("stderr").asString()).isEqualTo("err\n");
        assertThat(api.delete("/v1/sandboxes/" + id).key(tenant.key()).send().status())
                .isEqualTo(200);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> FAKE.liveSandboxNamed(id).isEmpty());
        assertThat(jdbc.sql("select count(*) from sandboxes s where s::text like ?")
                        .param("%" + DaytonaFake.API_KEY + "%")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aCreateThatStallsAnswers503FailsTheRowFreesTheSlotAndTheLateSandboxIsReaped() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        FAKE.stallCreates(Duration.ofSeconds(5), 3);

        Api.Response stalled = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "daytona", "region", "us"))
                .send();

        assertProblem(stalled, 503, "provider-unavailable");
        assertThat(stalled.header("Retry-After")).isNotBlank();
        assertThat(stalled.json().get("detail").asString()).contains("timed out");
        JsonNode failed = onlySandbox(tenant, "FAILED");
        assertThat(failed.get("endReason").asString()).startsWith("PROVIDER_ERROR");
        assertThat(activeSandboxes(tenant)).isZero();
        String second = createSandbox(tenant, Map.of("provider", "daytona", "region", "us"))
                .get("id")
                .asString();

        String late = failed.get("id").asString();
        // Every stalled attempt has landed: the first made the sandbox after Perimeter had given up, the others 409.
        await().atMost(Duration.ofSeconds(20)).until(() -> FAKE.serving() == 0);
        assertThat(FAKE.liveSandboxNamed(late)).isPresent();
        await().atMost(Duration.ofSeconds(15)).until(reconciler::run);

        assertThat(FAKE.liveSandboxNamed(late)).isEmpty();
        assertThat(FAKE.liveSandboxNamed(second)).isPresent();
        assertThat(FAKE.liveSandboxes()).isEqualTo(1);
    }

    @Test
    void aCreateDaytonaRefusesAnswers502AndFreesTheSlot() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of(
                        "provider", "daytona", "region", "us", "resources", Map.of("vcpus", 16, "memoryMib", 1024)))
                .send();

        assertProblem(refused, 502, "provider-error");
        assertThat(refused.json().get("detail").asString()).contains("exceeds maximum");
        assertThat(onlySandbox(tenant, "FAILED")).isNotNull();
        assertThat(activeSandboxes(tenant)).isZero();
        createSandbox(tenant, Map.of("provider", "daytona", "region", "us"));
    }
}
