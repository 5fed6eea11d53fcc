package dev.perimeter.audit;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.Page;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes and reads the append-only audit trail. A write happens after the action it records, in its own statement: a
 * failed write is logged and counted ({@code perimeter.audit.events} with {@code result=failed}) but never undoes or
 * fails the action.
 */
@Component
public class AuditTrail {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {};
    private static final String EVENTS = "perimeter.audit.events";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Counter written;
    private final Counter failed;

    AuditTrail(JdbcClient jdbc, JsonMapper json, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        this.written = meters.counter(EVENTS, "result", "written");
        this.failed = meters.counter(EVENTS, "result", "failed");
    }

    /** Records the event under the correlation id in force on this thread. */
    public void record(AuditEvent event) {
        record(event, CorrelationId.current());
    }

    /** Records the event under the given correlation id. */
    public void record(AuditEvent event, String correlationId) {
        String id = Ids.next("aud");
        try {
            jdbc.sql(
                            """
                            insert into audit_events
                                (id, actor, tenant_id, action, target_id, correlation_id, outcome, details)
                            values (?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))
                            """)
                    .params(
                            id,
                            event.actor(),
                            event.tenantId(),
                            event.action(),
                            event.targetId(),
                            correlationId,
                            event.outcome().name(),
                            json.writeValueAsString(event.details()))
                    .update();
            written.increment();
        } catch (DataAccessException | tools.jackson.core.JacksonException e) {
            failed.increment();
            log.error("Could not write audit event {} ({} on {})", id, event.action(), event.targetId(), e);
        }
    }

    /** One page of events matching the filter, newest first. */
    public Page<AuditRecord> find(AuditFilter filter, Cursor after, int limit) {
        StringBuilder sql = new StringBuilder(
                """
                select id, at, actor, tenant_id, action, target_id, correlation_id, outcome, details::text as details
                from audit_events
                where (at, id) < (?, ?)
                """);
        var params = new java.util.ArrayList<Object>();
        params.add(OffsetDateTime.ofInstant(after.createdAt(), ZoneOffset.UTC));
        params.add(after.id());
        if (filter.tenantId() != null) {
            sql.append(" and tenant_id = ?");
            params.add(filter.tenantId());
        }
        if (filter.action() != null) {
            sql.append(" and action = ?");
            params.add(filter.action());
        }
        if (filter.since() != null) {
            sql.append(" and at >= ?");
            params.add(OffsetDateTime.ofInstant(filter.since(), ZoneOffset.UTC));
        }
        sql.append(" order by at desc, id desc limit ?");
        params.add(limit + 1);
        var rows = jdbc.sql(sql.toString()).params(params).query(this::map).list();
        return Page.ofRows(rows, limit, row -> new Cursor(row.at(), row.id()));
    }

    private AuditRecord map(ResultSet rs, int row) throws SQLException {
        return new AuditRecord(
                rs.getString("id"),
                rs.getObject("at", OffsetDateTime.class).toInstant(),
                rs.getString("actor"),
                rs.getString("tenant_id"),
                rs.getString("action"),
                rs.getString("target_id"),
                rs.getString("correlation_id"),
                AuditOutcome.valueOf(rs.getString("outcome")),
                json.readValue(rs.getString("details"), DETAILS));
    }

    /**
     * Which events to list; {@code null} fields do not filter.
     *
     * @param tenantId only this tenant's events
     * @param action only this action
     * @param since only events at or after this instant
     */
    public record AuditFilter(@Nullable String tenantId, @Nullable String action, @Nullable Instant since) {}

    /**
     * An event as stored.
     *
     * @param id the event's id ({@code aud_…})
     * @param at when it was written, by the database's clock
     * @param actor the API key id, or {@code system:<component>}
     * @param tenantId the tenant concerned, if any
     * @param action {@code <resource>.<verb>}
     * @param targetId the resource acted on, if any
     * @param correlationId the correlation id of the request or job run
     * @param outcome how it ended
     * @param details non-secret facts such as the HTTP status and problem type
     */
    public record AuditRecord(
            String id,
            Instant at,
            String actor,
            @Nullable String tenantId,
            String action,
            @Nullable String targetId,
            String correlationId,
            AuditOutcome outcome,
            Map<String, Object> details) {}
}
