package dev.perimeter.sandbox;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The record of one command run in a sandbox: which program, how many arguments, a SHA-256 of the whole argv (so a
 * command can be proven without storing arguments that may hold secrets), and how it ended.
 */
@Entity
@Table(name = "execs")
class Exec {

    @Id
    private String id = "";

    private String sandboxId = "";

    private String tenantId = "";

    private String program = "";

    private int argumentCount;

    private String commandSha256 = "";

    private @Nullable Integer exitCode;

    private @Nullable Boolean timedOut;

    private @Nullable Boolean truncated;

    private @Nullable Long durationMs;

    private String correlationId = "";

    private Instant startedAt = Instant.EPOCH;

    private @Nullable Instant endedAt;

    protected Exec() {}

    Exec(
            String id,
            Sandbox sandbox,
            String program,
            int argumentCount,
            String commandSha256,
            String correlationId,
            Instant startedAt) {
        this.id = id;
        this.sandboxId = sandbox.getId();
        this.tenantId = sandbox.getTenantId();
        this.program = program;
        this.argumentCount = argumentCount;
        this.commandSha256 = commandSha256;
        this.correlationId = correlationId;
        this.startedAt = startedAt;
    }

    String getId() {
        return id;
    }
}
