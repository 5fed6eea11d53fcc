package dev.perimeter.sandbox;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.TenantContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Runs commands in a tenant's running sandboxes and moves files in and out of their workspaces. Commands are timed in
 * {@code perimeter.sandbox.execs} by provider and outcome ({@code exit-zero}, {@code exit-nonzero}, {@code timed-out},
 * {@code failed}); neither the command line nor its environment is ever logged.
 */
@Service
public class SandboxExecution {

    static final String EXECS = "perimeter.sandbox.execs";

    private static final Logger log = LoggerFactory.getLogger(SandboxExecution.class);
    private static final Duration[] EXEC_BUCKETS = {
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(15),
        Duration.ofHours(1)
    };

    private final SandboxManagement sandboxes;
    private final Execs execs;
    private final ProviderRegistry providers;
    private final ProviderCalls calls;
    private final SandboxProperties properties;
    private final MeterRegistry meters;
    private final Clock clock;

    SandboxExecution(
            SandboxManagement sandboxes,
            Execs execs,
            ProviderRegistry providers,
            ProviderCalls calls,
            SandboxProperties properties,
            MeterRegistry meters,
            Clock clock) {
        this.sandboxes = sandboxes;
        this.execs = execs;
        this.providers = providers;
        this.calls = calls;
        this.properties = properties;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * The tenant's sandbox, which must be {@code RUNNING} to take commands and files: the one read that the methods
     * below work from.
     */
    public Sandbox running(TenantContext context, String sandboxId) {
        Sandbox sandbox = sandboxes.get(context, sandboxId);
        if (sandbox.getState() != SandboxState.RUNNING) {
            throw new SandboxNotRunningException(sandboxId, sandbox.getState());
        }
        return sandbox;
    }

    /** Runs a command to completion in a sandbox {@link #running} answered, passing output on as it arrives. */
    public ExecOutcome exec(Sandbox sandbox, ExecCommand command, ExecOutput output) {
        Duration timeout = timeout(command.timeout());
        ExecSpec spec = new ExecSpec(
                command.command(),
                command.cwd(),
                command.env(),
                timeout,
                command.stdin(),
                properties.maxOutput().toBytes());
        Exec exec = new Exec(
                Ids.next("exec"),
                sandbox.getId(),
                sandbox.getTenantId(),
                truncate(command.command().getFirst(), 256),
                command.command().size(),
                sha256(command.command()),
                CorrelationId.current(),
                clock.instant());
        execs.start(exec);
        SandboxProvider provider = providers.get(sandbox.getProvider());
        long started = System.nanoTime();
        ExecResult result;
        try {
            result = calls.call(
                    provider.type(),
                    ProviderCalls.Operation.EXEC,
                    () -> provider.exec(sandbox.providerRefOrId(), spec, output));
        } catch (RuntimeException e) {
            execTimer(provider.type(), "failed").record(Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
        execTimer(provider.type(), outcomeOf(result)).record(result.duration());
        log.debug(
                "Exec {} exited {} after {} ms",
                exec.id(),
                result.exitCode(),
                result.duration().toMillis());
        execs.recordEnd(
                exec.id(),
                result.exitCode(),
                result.timedOut(),
                result.truncated(),
                result.duration().toMillis(),
                clock.instant());
        return new ExecOutcome(exec.id(), result);
    }

    private Timer execTimer(String provider, String outcome) {
        return Timer.builder(EXECS)
                .description("Commands run in sandboxes, by how they ended")
                .tags("provider", provider, "outcome", outcome)
                .serviceLevelObjectives(EXEC_BUCKETS)
                .register(meters);
    }

    private static String outcomeOf(ExecResult result) {
        if (result.timedOut()) {
            return "timed-out";
        }
        return result.exitCode() == 0 ? "exit-zero" : "exit-nonzero";
    }

    /** Writes a file into the workspace of a sandbox {@link #running} answered. */
    public void writeFile(Sandbox sandbox, String path, byte[] content) {
        String relative = WorkspacePath.normalize(path);
        long limit = properties.maxFileSize().toBytes();
        if (content.length > limit) {
            throw new PayloadTooLargeException(limit);
        }
        SandboxProvider provider = providers.get(sandbox.getProvider());
        calls.run(
                provider.type(),
                ProviderCalls.Operation.WRITE_FILE,
                () -> provider.writeFile(sandbox.providerRefOrId(), relative, content));
    }

    /** Reads a file from the workspace of a sandbox {@link #running} answered. */
    public byte[] readFile(Sandbox sandbox, String path) {
        String relative = WorkspacePath.normalize(path);
        SandboxProvider provider = providers.get(sandbox.getProvider());
        return calls.call(
                        provider.type(),
                        ProviderCalls.Operation.READ_FILE,
                        () -> provider.readFile(
                                sandbox.providerRefOrId(),
                                relative,
                                properties.maxFileSize().toBytes()))
                .orElseThrow(() -> new NoSuchFileException(sandbox.getId(), path));
    }

    /** The largest file the API moves, in bytes. */
    public long maxFileBytes() {
        return properties.maxFileSize().toBytes();
    }

    private Duration timeout(@Nullable Duration requested) {
        if (requested == null) {
            return properties.execDefaultTimeout();
        }
        if (requested.isNegative() || requested.isZero()) {
            throw new ValidationFailedException("timeout", "must be a positive duration");
        }
        if (requested.compareTo(properties.execMaxTimeout()) > 0) {
            throw new ValidationFailedException("timeout", "must be at most " + properties.execMaxTimeout());
        }
        return requested;
    }

    private static String sha256(List<String> command) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String argument : command) {
                digest.update(argument.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String truncate(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}
