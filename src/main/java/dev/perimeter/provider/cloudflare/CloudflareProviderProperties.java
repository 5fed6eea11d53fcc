package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.EgressMode;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code cloudflare} provider, which drives the sandbox bridge Worker deployed in the team's own
 * Cloudflare account. The provider is registered only when both the bridge URL and its token are set.
 *
 * @param bridgeUrl the bridge Worker's base URL, e.g. {@code https://sandbox-bridge.example.workers.dev}
 *     ({@code CLOUDFLARE_SANDBOX_BRIDGE_URL})
 * @param bridgeToken the Worker's {@code SANDBOX_API_KEY} secret, sent as a bearer token
 *     ({@code CLOUDFLARE_SANDBOX_BRIDGE_TOKEN})
 * @param accountId the Cloudflare account the bridge runs in ({@code CLOUDFLARE_ACCOUNT_ID}); the bridge's API does not
 *     need it, it is logged at start-up so operators see which account sandboxes land in
 * @param egressMode what the deployed Worker enforces for every sandbox: {@code ALLOW_ALL} for the stock bridge,
 *     {@code DENY_ALL} only if the Worker's Sandbox class was deployed with internet access switched off; the bridge has
 *     no per-sandbox egress setting, so requests for any other mode are refused
 * @param primeWarmPool whether to call the bridge's {@code POST /v1/pool/prime} at start-up; the pool's size is the
 *     Worker's own {@code WARM_POOL_TARGET}
 * @param connectTimeout to open a connection to the bridge
 * @param requestTimeout to receive the answer to an ordinary call
 * @param startTimeout for the first call on a new sandbox, which waits for a container to start, and for restoring a
 *     snapshot
 * @param execGrace added to a command's timeout before the bridge's own timeout fires and before Perimeter abandons an
 *     exec stream that sent no exit event
 * @param maxAttempts attempts of a call that is safe to repeat, the first included
 */
@Validated
@ConfigurationProperties("perimeter.providers.cloudflare")
record CloudflareProviderProperties(
        @Nullable String bridgeUrl,
        @Nullable String bridgeToken,
        @Nullable String accountId,
        @DefaultValue("ALLOW_ALL") @NotNull EgressMode egressMode,
        @DefaultValue("false") boolean primeWarmPool,
        @DefaultValue("5s") @NotNull Duration connectTimeout,
        @DefaultValue("30s") @NotNull Duration requestTimeout,
        @DefaultValue("2m") @NotNull Duration startTimeout,
        @DefaultValue("30s") @NotNull Duration execGrace,
        @DefaultValue("3") @Min(1) int maxAttempts) {

    /** The settings without the bridge token, which must never reach a log line. */
    @Override
    public String toString() {
        return "CloudflareProviderProperties[bridgeUrl=" + bridgeUrl + ", bridgeToken="
                + (bridgeToken == null || bridgeToken.isBlank() ? "(unset)" : "[redacted]") + ", accountId="
                + accountId + ", egressMode=" + egressMode + ", primeWarmPool=" + primeWarmPool + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", startTimeout=" + startTimeout
                + ", execGrace=" + execGrace + ", maxAttempts=" + maxAttempts + "]";
    }
}
