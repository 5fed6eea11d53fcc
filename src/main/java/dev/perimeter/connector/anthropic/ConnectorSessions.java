package dev.perimeter.connector.anthropic;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The session ↔ work item ↔ sandbox links. A link is written before its sandbox is created and keyed by the work id,
 * so a redelivered item, or one taken again after a replica died, finds its row and never gets a second sandbox.
 */
@Service
public class ConnectorSessions {

    static final Set<String> STATES = Set.of("PENDING", "WAITING", "PROVISIONING", "RUNNING", "ENDED", "FAILED");

    private static final String COLUMNS =
            """
            id, binding_id, tenant_id, environment_id, work_id, session_id, sandbox_id, state, reason,
            correlation_id, created_at, started_at, ended_at""";

    private final JdbcClient jdbc;
    private final Clock clock;

    ConnectorSessions(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Links, newest first, of one tenant or all, optionally in one state. */
    public Page<ConnectorSession> list(
            @Nullable String tenantId, @Nullable String state, @Nullable String cursor, @Nullable Integer limit) {
        if (state != null && !STATES.contains(state)) {
            throw new ValidationFailedException(
                    "state",
                    "must be one of "
                            + String.join(", ", STATES.stream().sorted().toList()));
        }
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<ConnectorSession> rows = jdbc.sql(
                        "select " + COLUMNS
                                + """
                         from anthropic_sessions
                        where (cast(:tenant as text) is null or tenant_id = :tenant)
                          and (cast(:state as text) is null or state = :state)
                          and (created_at, id) < (:createdAt, :id)
                        order by created_at desc, id desc limit :limit""")
                .param("tenant", tenantId)
                .param("state", state)
                .param("createdAt", Timestamp.from(after.createdAt()))
                .param("id", after.id())
                .param("limit", size + 1)
                .query(ConnectorSessions::map)
                .list();
        return Page.ofRows(rows, size, last -> new Cursor(last.createdAt(), last.id()));
    }

    /** The link of the work item, written now as {@code PENDING} unless it exists. */
    ConnectorSession record(EnvironmentBinding binding, String workId, String sessionId) {
        jdbc.sql(
                        """
                        insert into anthropic_sessions (id, binding_id, tenant_id, environment_id, work_id, session_id,
                            state, correlation_id, created_at)
                        values (:id, :binding, :tenant, :environment, :work, :session, 'PENDING', :correlation, :now)
                        on conflict (work_id) do nothing""")
                .param("id", Ids.next("asess"))
                .param("binding", binding.id())
                .param("tenant", binding.tenantId())
                .param("environment", binding.environmentId())
                .param("work", workId)
                .param("session", sessionId)
                .param("correlation", CorrelationId.current())
                .param("now", Timestamp.from(clock.instant()))
                .update();
        return byWork(workId).orElseThrow();
    }

    Optional<ConnectorSession> byWork(String workId) {
        return jdbc.sql("select " + COLUMNS + " from anthropic_sessions where work_id = ?")
                .param(workId)
                .query(ConnectorSessions::map)
                .optional();
    }

    /**
     * Takes the right to create the link's sandbox: a link not yet provisioned, or one whose claim by another replica
     * is older than {@code timeout} (that replica died between writing the link and creating the sandbox).
     */
    boolean claim(String id, String replica, Duration timeout) {
        return jdbc.sql(
                                """
                        update anthropic_sessions set state = 'PROVISIONING', claimed_by = :replica, claimed_at = :now,
                            reason = null
                        where id = :id and (state in ('PENDING', 'WAITING')
                            or (state = 'PROVISIONING' and sandbox_id is null
                                and (claimed_by = :replica or claimed_at < :stale)))""")
                        .param("replica", replica)
                        .param("now", Timestamp.from(clock.instant()))
                        .param("stale", Timestamp.from(clock.instant().minus(timeout)))
                        .param("id", id)
                        .update()
                == 1;
    }

    /** Leaves the link for a later delivery of its work item. */
    void waiting(String id, String reason) {
        jdbc.sql(
                        """
                        update anthropic_sessions set state = 'WAITING', reason = :reason, claimed_by = null
                        where id = :id and state = 'PROVISIONING'""")
                .param("reason", reason)
                .param("id", id)
                .update();
    }

    /** Records the sandbox that runs the link's session. */
    void running(String id, String sandboxId) {
        jdbc.sql(
                        """
                        update anthropic_sessions set state = 'RUNNING', sandbox_id = :sandbox, started_at = :now,
                            claimed_at = :now, reason = null
                        where id = :id and state = 'PROVISIONING'""")
                .param("sandbox", sandboxId)
                .param("now", Timestamp.from(clock.instant()))
                .param("id", id)
                .update();
    }

    /** Ends a link that is not yet over; answers whether this call ended it (exactly one caller does). */
    boolean end(String id, String state, String reason) {
        return jdbc.sql(
                                """
                        update anthropic_sessions set state = :state, reason = :reason, ended_at = :now
                        where id = :id and state not in ('ENDED', 'FAILED')""")
                        .param("state", state)
                        .param("reason", reason.substring(0, Math.min(500, reason.length())))
                        .param("now", Timestamp.from(clock.instant()))
                        .param("id", id)
                        .update()
                == 1;
    }

    /** Renews this replica's hold on the sessions whose workers it runs. */
    void renew(java.util.Collection<String> ids, String replica) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.sql("update anthropic_sessions set claimed_at = :now where id in (:ids) and claimed_by = :replica")
                .param("now", Timestamp.from(clock.instant()))
                .param("ids", List.copyOf(ids))
                .param("replica", replica)
                .update();
    }

    /** Whether the replica running the link's worker has not renewed its hold within {@code timeout}. */
    boolean unsupervised(String id, Duration timeout) {
        return jdbc.sql("select count(*) from anthropic_sessions where id = :id and state = 'RUNNING'"
                                + " and (claimed_at is null or claimed_at < :stale)")
                        .param("id", id)
                        .param("stale", Timestamp.from(clock.instant().minus(timeout)))
                        .query(Long.class)
                        .single()
                == 1;
    }

    /** Links whose sandbox is running, oldest first. */
    List<ConnectorSession> running(int batch) {
        return inState("RUNNING", batch);
    }

    /** Links waiting for a later delivery, oldest first. */
    List<ConnectorSession> waiting(int batch) {
        return inState("WAITING", batch);
    }

    private List<ConnectorSession> inState(String state, int batch) {
        return jdbc.sql("select " + COLUMNS
                        + " from anthropic_sessions where state = ? order by created_at, id limit ?")
                .params(state, batch)
                .query(ConnectorSessions::map)
                .list();
    }

    /** How many links have a running sandbox, across every binding. */
    long countRunning() {
        return jdbc.sql("select count(*) from anthropic_sessions where state = 'RUNNING'")
                .query(Long.class)
                .single();
    }

    private static ConnectorSession map(ResultSet rs, int row) throws SQLException {
        return new ConnectorSession(
                rs.getString("id"),
                rs.getString("binding_id"),
                rs.getString("tenant_id"),
                rs.getString("environment_id"),
                rs.getString("work_id"),
                rs.getString("session_id"),
                rs.getString("sandbox_id"),
                rs.getString("state"),
                rs.getString("reason"),
                rs.getString("correlation_id"),
                EnvironmentBindings.instant(rs, "created_at"),
                EnvironmentBindings.instantOrNull(rs, "started_at"),
                EnvironmentBindings.instantOrNull(rs, "ended_at"));
    }
}
