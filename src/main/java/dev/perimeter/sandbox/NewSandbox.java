package dev.perimeter.sandbox;

import dev.perimeter.provider.SandboxSpec;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an orchestrator asks for; {@code null} means "the default".
 *
 * @param agentId the agent the sandbox serves, for per-agent quota and listing
 * @param provider provider name, or {@code null} for the tenant's default
 * @param region region, or {@code null} for the tenant's default
 * @param image container image, or {@code null} for the provider's default
 * @param resources size, or {@code null} for the platform default
 * @param lifetime how long it may live, or {@code null} for the platform default
 * @param env environment for every command; passed to the provider, never stored by Perimeter
 * @param labels the caller's labels
 * @param fromSnapshot id of a snapshot to restore into it
 * @param egress network policy, or {@code null} for no network
 */
public record NewSandbox(
        @Nullable String agentId,
        @Nullable String provider,
        @Nullable String region,
        @Nullable String image,
        SandboxSpec.@Nullable Resources resources,
        @Nullable Duration lifetime,
        Map<String, String> env,
        Map<String, String> labels,
        @Nullable String fromSnapshot,
        SandboxSpec.@Nullable Egress egress) {}
