package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Without {@code KUBERNETES_SANDBOX_ENABLED} the provider is not registered, and asking for it names the setting. */
class KubernetesNotConfiguredApiTests extends ApiTestSupport {

    @Test
    void askingForKubernetesWithoutItsSettingsAnswersProviderNotAllowed() {
        TestTenant tenant = newTenant();

        Api.Response response = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "kubernetes"))
                .send();

        assertProblem(response, 403, "provider-not-allowed");
        JsonNode problem = response.json();
        assertThat(problem.get("detail").asString()).contains("KUBERNETES_SANDBOX_ENABLED");
        assertThat(problem.get("missingSettings").get(0).asString()).isEqualTo("KUBERNETES_SANDBOX_ENABLED");
        assertThat(activeSandboxes(tenant)).isZero();
    }
}
