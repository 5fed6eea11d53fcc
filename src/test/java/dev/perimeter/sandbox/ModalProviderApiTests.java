package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.modal.FakeModal;
import dev.perimeter.provider.modal.ModalChannels;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Sandboxes on Modal through Perimeter's REST API, with the provider configured against the in-process Modal fake and
 * a one-second client deadline: a create Modal fails or answers too late is a clear problem, its row FAILED and its
 * quota slot free, and a sandbox Modal made anyway is destroyed by the reconciler.
 */
@TestPropertySource(
        properties = {
            "perimeter.providers.modal.token-id=" + FakeModal.TOKEN_ID,
            "perimeter.providers.modal.token-secret=" + FakeModal.TOKEN_SECRET,
            "perimeter.providers.modal.server-url=" + FakeModal.SERVER_URL,
            "perimeter.providers.modal.request-timeout=1s",
            "perimeter.providers.modal.max-attempts=2"
        })
@Import(ModalProviderApiTests.InProcessModal.class)
class ModalProviderApiTests extends ApiTestSupport {

    private static final FakeModal FAKE = new FakeModal();

    @TestConfiguration(proxyBeanMethods = false)
    static class InProcessModal {

        @Bean
        @Primary
        ModalChannels inProcessModalChannels() {
            return FAKE.channels();
        }
    }

    @Autowired
    ProviderReconciler reconciler;

    @AfterEach
    void healModal() {
        FAKE.answerCreatesLate(null);
    }

    @AfterAll
    static void stopModal() {
        FAKE.close();
    }

    @Test
    void aSandboxOnModalRunsCommandsThroughTheApi() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(tenant, Map.of("provider", "modal"));

        JsonNode result = exec(tenant, sandbox.get("id").asString(), Map.of("command", List.of("echo", "on modal")));

        assertThat(sandbox.get("provider").asString()).isEqualTo("modal");
        assertThat(sandbox.get("providerRef").asString()).startsWith("sb-");
        assertThat(result.get("stdout").asString()).isEqualTo("on modal\n");
        destroy(tenant, sandbox.get("id").asString());
    }

    @Test
    void aGpuCreateReachesModalAsTypeAndCount() {
        TestTenant tenant = newTenant();
        JsonNode sandbox = createSandbox(
                tenant, Map.of("provider", "modal", "resources", Map.of("vcpus", 2, "memoryMib", 2048, "gpu", "l4:2")));

        assertThat(FAKE.gpuRequests()).last().isEqualTo("L4:2");
        destroy(tenant, sandbox.get("id").asString());
    }

    @Test
    void aCreateModalAnswersTooLateFailsFreesTheSlotAndTheOrphanIsReaped() {
        TestTenant tenant = newTenantWithOneSlot();
        FAKE.answerCreatesLate(Duration.ofSeconds(2));

        Api.Response late = create(tenant);

        assertProblem(late, 503, "provider-unavailable");
        assertThat(late.header("Retry-After")).isNotBlank();
        assertThat(late.json().get("detail").asString()).contains("did not answer SandboxCreate in time");
        String failed = onlySandboxId(tenant, "FAILED");
        assertThat(activeSandboxes(tenant)).isZero();
        assertThat(FAKE.runningSandboxIds()).contains(failed);

        FAKE.answerCreatesLate(null);
        await().atMost(Duration.ofSeconds(10)).until(reconciler::run);

        assertThat(FAKE.runningSandboxIds()).doesNotContain(failed);
        Api.Response second = create(tenant);
        assertThat(second.status()).as(second.text()).isEqualTo(201);
        destroy(tenant, second.json().get("id").asString());
    }

    @Test
    void aCreateModalRefusesIs502AndFreesTheSlot() {
        TestTenant tenant = newTenantWithOneSlot();
        FAKE.failNext("SandboxCreate", 1, Status.INVALID_ARGUMENT.withDescription("Invalid image"));

        Api.Response refused = create(tenant);

        assertProblem(refused, 502, "provider-error");
        assertThat(refused.json().get("detail").asString())
                .contains("INVALID_ARGUMENT")
                .contains("Invalid image");
        assertThat(refused.text()).doesNotContain(FakeModal.TOKEN_SECRET).doesNotContain(FakeModal.TOKEN_ID);
        onlySandboxId(tenant, "FAILED");
        assertThat(activeSandboxes(tenant)).isZero();
        Api.Response second = create(tenant);
        assertThat(second.status()).as(second.text()).isEqualTo(201);
        destroy(tenant, second.json().get("id").asString());
    }

    @Test
    void aCreateWhileModalIsUnavailableIs503AndFreesTheSlot() {
        TestTenant tenant = newTenantWithOneSlot();
        FAKE.failNext("SandboxCreate", 2, Status.UNAVAILABLE.withDescription("connection reset by peer"));

        Api.Response unavailable = create(tenant);

        assertProblem(unavailable, 503, "provider-unavailable");
        assertThat(unavailable.header("Retry-After")).isEqualTo("5");
        onlySandboxId(tenant, "FAILED");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    private Api.Response create(TestTenant tenant) {
        return api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "modal"))
                .send();
    }

    /** The id of the tenant's one sandbox, which must be in that state. */
    private String onlySandboxId(TestTenant tenant, String state) {
        JsonNode only = onlySandbox(tenant);
        assertThat(only.get("state").asString()).isEqualTo(state);
        return only.get("id").asString();
    }

    private void destroy(TestTenant tenant, String id) {
        Api.Response destroyed =
                api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
        assertThat(destroyed.status()).as(destroyed.text()).isEqualTo(200);
    }
}
