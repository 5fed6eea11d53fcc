package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** In the default test context the bridge settings are absent: asking for cloudflare names what to set. */
class CloudflareNotConfiguredTests extends ApiTestSupport {

    @Test
    void askingForCloudflareWithoutItsSettingsIsRefusedNamingThem() {
        TestTenant tenant = newTenant();

        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("provider", "cloudflare"))
                .send();

        assertProblem(refused, 403, "provider-not-allowed");
        assertThat(refused.json().get("missingSettings").toString())
                .contains("CLOUDFLARE_SANDBOX_BRIDGE_URL")
                .contains("CLOUDFLARE_SANDBOX_BRIDGE_TOKEN");
        assertThat(activeSandboxes(tenant)).isZero();
    }
}
