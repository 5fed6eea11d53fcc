package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without Modal tokens, asking for Modal is refused naming the settings to add. */
class ModalProviderNotConfiguredApiTests extends ApiTestSupport {

    @Test
    void askingForModalWithoutTokensAnswers403NamingTheMissingSettings() {
        TestTenant tenant = newTenant();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "modal"))
                .send();

        assertProblem(refused, 403, "provider-not-allowed");
        assertThat(refused.json().get("missingSettings").values())
                .extracting(node -> node.asString())
                .containsExactly("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET");
        assertThat(activeSandboxes(tenant)).isZero();
    }
}
