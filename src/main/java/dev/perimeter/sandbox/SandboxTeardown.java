package dev.perimeter.sandbox;

import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.LogContext;
import dev.perimeter.shared.PerimeterException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The provider side of a destroy: asks the provider to remove a {@code DESTROYING} sandbox, then records it {@code
 * DESTROYED}. A {@code DELETE} hands this on with {@link #finishLater} and answers {@code DESTROYING}; if the work is
 * lost (a failed provider call, a crash, a shutdown) the row stays {@code DESTROYING} and the reaper finishes it. At
 * shutdown the destroys in flight are waited for.
 */
@Component
class SandboxTeardown implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SandboxTeardown.class);

    private final ProviderRegistry providers;
    private final ProviderCalls calls;
    private final SandboxTransitions transitions;
    private final SandboxCounters counters;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sandbox-destroy-", 0).factory());

    SandboxTeardown(
            ProviderRegistry providers,
            ProviderCalls calls,
            SandboxTransitions transitions,
            SandboxCounters counters,
            TransactionTemplate transactions,
            Clock clock) {
        this.providers = providers;
        this.calls = calls;
        this.transitions = transitions;
        this.counters = counters;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Finishes the destroy of a {@code DESTROYING} sandbox on a background thread, under this request's correlation id
     * and with the sandbox in its logging context.
     * The sandbox object is not touched: the caller is still answering it.
     */
    void finishLater(Sandbox sandbox) {
        String id = sandbox.getId();
        String provider = sandbox.getProvider();
        String providerRef = sandbox.providerRefOrId();
        CorrelationId.current(); // makes sure there is one to carry
        try (LogContext.Scope scope = LogContext.sandbox(sandbox.getTenantId(), id)) {
            background.execute(LogContext.carry(() -> {
                try {
                    destroy(id, provider, providerRef);
                } catch (RuntimeException e) {
                    log.error("Destroy of sandbox {} failed; the reaper will retry it", id, e);
                }
            }));
        } catch (RejectedExecutionException e) {
            log.info("Shutting down: sandbox {} stays DESTROYING for the reaper", id);
        }
    }

    /** Destroys a {@code DESTROYING} sandbox on the provider now; on success it becomes {@code DESTROYED}. */
    void finish(Sandbox sandbox) {
        try (LogContext.Scope scope = LogContext.sandbox(sandbox.getTenantId(), sandbox.getId())) {
            Instant destroyedAt = destroy(sandbox.getId(), sandbox.getProvider(), sandbox.providerRefOrId());
            if (destroyedAt != null) {
                sandbox.destroyed(destroyedAt);
            }
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
            calls.run(provider.type(), ProviderCalls.Operation.DESTROY, () -> provider.destroy(providerRef));
        } catch (PerimeterException e) {
            log.warn("Destroy of sandbox {} failed; it stays DESTROYING and will be retried: {}", id, e.getMessage());
            return null;
        }
        Instant now = clock.instant();
        boolean moved = Boolean.TRUE.equals(transactions.execute(status -> {
            if (transitions.markDestroyed(id, now) == 0) {
                return false;
            }
            counters.release(id);
            return true;
        }));
        if (moved) {
            log.info("Sandbox {} is DESTROYED", id);
        }
        return moved ? now : null;
    }

    /** Waits for the destroys in flight, before the database they record into goes away. */
    @Override
    public void destroy() {
        background.close();
    }
}
