package dev.perimeter.shared;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * What every log line of a piece of work says about it: the {@link CorrelationId}, the tenant and the sandbox, kept in
 * the logging context (MDC) under {@link CorrelationId#KEY}, {@link #TENANT_ID} and {@link #SANDBOX_ID}. Work handed
 * to another thread takes the context along with {@link #carry}.
 */
public final class LogContext {

    /** The key of the tenant id in the logging context. */
    public static final String TENANT_ID = "tenantId";

    /** The key of the sandbox id in the logging context. */
    public static final String SANDBOX_ID = "sandboxId";

    private LogContext() {}

    /** A value in force until {@link #close()}, which restores what was there before. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Puts a value in the logging context until the scope closes; a {@code null} value changes nothing. */
    public static Scope put(String key, @Nullable String value) {
        if (value == null) {
            return () -> {};
        }
        String previous = MDC.get(key);
        MDC.put(key, value);
        return () -> {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        };
    }

    /** Puts a sandbox and its tenant in the logging context until the scope closes. */
    public static Scope sandbox(String tenantId, String sandboxId) {
        Scope tenant = put(TENANT_ID, tenantId);
        Scope sandbox = put(SANDBOX_ID, sandboxId);
        return () -> {
            sandbox.close();
            tenant.close();
        };
    }

    /**
     * Wraps a task so that, on whichever thread runs it, it logs under this thread's logging context as it is now; the
     * running thread's own context is restored afterwards.
     */
    public static Runnable carry(Runnable task) {
        Map<String, String> captured = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            replace(captured);
            try {
                task.run();
            } finally {
                replace(previous);
            }
        };
    }

    private static void replace(@Nullable Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }
}
