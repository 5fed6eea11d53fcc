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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** Runs commands in a tenant's running sandboxes and moves files in and out of their workspaces. */
@Service
public class SandboxExecution {

    private final SandboxManagement sandboxes;
    private final Execs execs;
    private final ProviderRegistry providers;
    private final SandboxProperties properties;
    private final Clock clock;

    SandboxExecution(
            SandboxManagement sandboxes,
            Execs execs,
            ProviderRegistry providers,
            SandboxProperties properties,
            Clock clock) {
        this.sandboxes = sandboxes;
        this.execs = execs;
        this.providers = providers;
        this.properties = properties;
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
        ExecResult result = ProviderCalls.call(
                provider.type(), "run a command", () -> provider.exec(sandbox.providerRefOrId(), spec, output));
        execs.recordEnd(
                exec.id(),
                result.exitCode(),
                result.timedOut(),
                result.truncated(),
                result.duration().toMillis(),
                clock.instant());
        return new ExecOutcome(exec.id(), result);
    }

    /** Writes a file into the workspace of a sandbox {@link #running} answered. */
    public void writeFile(Sandbox sandbox, String path, byte[] content) {
        String relative = WorkspacePath.normalize(path);
        long limit = properties.maxFileSize().toBytes();
        if (content.length > limit) {
            throw new PayloadTooLargeException(limit);
        }
        SandboxProvider provider = providers.get(sandbox.getProvider());
        ProviderCalls.run(
                provider.type(),
                "write a file",
                () -> provider.writeFile(sandbox.providerRefOrId(), relative, content));
    }

    /** Reads a file from the workspace of a sandbox {@link #running} answered. */
    public byte[] readFile(Sandbox sandbox, String path) {
        String relative = WorkspacePath.normalize(path);
        SandboxProvider provider = providers.get(sandbox.getProvider());
        return ProviderCalls.call(
                        provider.type(),
                        "read a file",
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
