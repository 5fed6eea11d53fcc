package dev.perimeter.connector.anthropic;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Anthropic self-hosted environment bound to a tenant: its work items become that tenant's sandboxes.
 *
 * @param id Perimeter's id ({@code aenv_…})
 * @param tenantId the tenant whose quota, budget and providers every session uses
 * @param environmentId Anthropic's environment id ({@code env_…})
 * @param environmentKeyRef where the environment key is kept ({@code env:NAME} or {@code file:/path})
 * @param provider provider of the sandboxes, or {@code null} for the tenant's default
 * @param region region, or {@code null} for the tenant's default
 * @param image image, or {@code null} for the provider's default
 * @param resources size, or {@code null} for the platform default
 * @param lifetime how long a session's sandbox may live, or {@code null} for the platform default
 * @param egress the sandboxes' egress; the worker must reach the Anthropic API
 * @param workerCommand the command started in each sandbox
 * @param status {@code ACTIVE} while polled, {@code DELETED} after
 * @param createdAt when it was bound
 * @param lastPolledAt when its queue was last polled
 * @param lastError why the last poll failed, if it did; never a key
 */
public record EnvironmentBinding(
        String id,
        String tenantId,
        String environmentId,
        String environmentKeyRef,
        @Nullable String provider,
        @Nullable String region,
        @Nullable String image,
        SandboxSpec.@Nullable Resources resources,
        @Nullable Duration lifetime,
        EgressMode egress,
        List<String> workerCommand,
        String status,
        Instant createdAt,
        @Nullable Instant lastPolledAt,
        @Nullable String lastError) {

    /** The worker Anthropic publishes for one session per sandbox. */
    public static final List<String> DEFAULT_WORKER = List.of("ant", "beta:worker", "run");

    public EnvironmentBinding {
        workerCommand = List.copyOf(workerCommand);
    }
}
