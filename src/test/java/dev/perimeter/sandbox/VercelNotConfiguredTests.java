package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Where the Vercel settings are absent, asking for the provider is refused naming them, and nothing is written. */
class VercelNotConfiguredTests extends ApiTestSupport {

    @Test
    void askingForVercelWithoutItsSettingsAnswersProviderNotAllowedNamingThem() {
        TestTenant tenant = newTenant();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "vercel"))
                .send();

        assertProblem(refused, 403, "provider-not-allowed");
        JsonNode problem = refused.json();
        assertThat(problem.get("detail").asString()).contains("VERCEL_TOKEN", "VERCEL_TEAM_ID", "VERCEL_PROJECT_ID");
        assertThat(problem.get("missingSettings").toString()).contains("VERCEL_PROJECT_ID");
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items"))
                .isEmpty();
        assertThat(activeSandboxes(tenant)).isZero();
    }
}
