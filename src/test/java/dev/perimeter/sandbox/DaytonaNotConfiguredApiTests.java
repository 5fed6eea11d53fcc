package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Without {@code DAYTONA_API_KEY} the provider is not registered, and asking for it names the missing setting. */
class DaytonaNotConfiguredApiTests extends ApiTestSupport {

    @Test
    void askingForDaytonaWithoutItsSettingsAnswersProviderNotAllowed() {
        TestTenant tenant = newTenant();

        Api.Response response = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "daytona"))
                .send();

        assertProblem(response, 403, "provider-not-allowed");
        JsonNode problem = response.json();
        assertThat(problem.get("detail").asString()).contains("DAYTONA_API_KEY");
        assertThat(problem.get("missingSettings").get(0).asString()).isEqualTo("DAYTONA_API_KEY");
        assertThat(activeSandboxes(tenant)).isZero();
    }
}
