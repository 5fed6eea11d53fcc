package dev.perimeter.sandbox;

import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Records of commands run in sandboxes. Written, never read back here; each write is one autocommitted statement (see
 * {@link SandboxTransitions}).
 */
@Repository
class Execs {

    private final JdbcClient jdbc;

    Execs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records that a command is about to start. */
    void start(Exec exec) {
        jdbc.sql(
                        """
                        insert into execs (id, sandbox_id, tenant_id, program, argument_count, command_sha256,
                            correlation_id, started_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        exec.id(),
                        exec.sandboxId(),
                        exec.tenantId(),
                        exec.program(),
                        exec.argumentCount(),
                        exec.commandSha256(),
                        exec.correlationId(),
                        SandboxTransitions.utc(exec.startedAt()))
                .update();
    }

    /** Records how a command ended. */
    int recordEnd(String id, int exitCode, boolean timedOut, boolean truncated, long durationMs, Instant endedAt) {
        return jdbc.sql(
                        """
                        update execs set exit_code = ?, timed_out = ?, truncated = ?, duration_ms = ?, ended_at = ?
                        where id = ?""")
                .params(exitCode, timedOut, truncated, durationMs, SandboxTransitions.utc(endedAt), id)
                .update();
    }
}
