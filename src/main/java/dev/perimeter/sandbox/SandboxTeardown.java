package dev.perimeter.sandbox;

import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.shared.PerimeterException;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The provider side of a destroy: asks the provider to remove a {@code DESTROYING} sandbox, then records it {@code
 * DESTROYED}. If that fails the row stays {@code DESTROYING} and the reaper retries it.
 */
@Component
class SandboxTeardown {

    private static final Logger log = LoggerFactory.getLogger(SandboxTeardown.class);

    private final ProviderRegistry providers;
    private final SandboxTransitions transitions;
    private final Clock clock;

    SandboxTeardown(ProviderRegistry providers, SandboxTransitions transitions, Clock clock) {
        this.providers = providers;
        this.transitions = transitions;
        this.clock = clock;
    }

    /** Destroys a {@code DESTROYING} sandbox on the provider now; on success it becomes {@code DESTROYED}. */
    void finish(Sandbox sandbox) {
        Instant destroyedAt = destroy(sandbox.getId(), sandbox.getProvider(), sandbox.providerRefOrId());
        if (destroyedAt != null) {
            sandbox.destroyed(destroyedAt);
        }
    }

    /** Answers when the row was moved to {@code DESTROYED}, or {@code null} if this call did not move it. */
    private @Nullable Instant destroy(String id, String providerType, String providerRef) {
        SandboxProvider provider = providers.find(providerType).orElse(null);
        if (provider == null) {
            log.warn("Sandbox {} is on provider '{}', which is not configured here", id, providerType);
            return null;
        }
        try {
            ProviderCalls.run(provider.type(), "destroy a sandbox", () -> provider.destroy(providerRef));
        } catch (PerimeterException e) {
            log.warn("Destroy of sandbox {} failed; it stays DESTROYING and will be retried: {}", id, e.getMessage());
            return null;
        }
        Instant now = clock.instant();
        return transitions.markDestroyed(id, now) == 1 ? now : null;
    }
}
