package dev.perimeter.sandbox;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.jpa.StringListConverter;
import dev.perimeter.shared.jpa.StringMapConverter;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The sandbox row in plain JDBC: the read every exec, file call and destroy starts with, the insert ({@code
 * PROVISIONING}) and the conditional state changes, which answer how many rows moved (0 when another request or
 * replica got there first). Other reads go through {@link Sandboxes}.
 *
 * <p>Each is one SQL statement, run outside any transaction so that it commits on its own (autocommit): one round trip
 * to Postgres instead of BEGIN, statement and COMMIT. Inside a caller's transaction it joins that one instead.
 */
@Repository
class SandboxTransitions {

    private static final StringListConverter LIST = new StringListConverter();
    private static final StringMapConverter MAP = new StringMapConverter();

    private final JdbcClient jdbc;

    SandboxTransitions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The tenant's sandbox with that id. */
    Optional<Sandbox> find(String id, String tenantId) {
        return jdbc.sql("select * from sandboxes where id = ? and tenant_id = ?")
                .params(id, tenantId)
                .query(SandboxTransitions::sandbox)
                .optional();
    }

    /**
     * Moves the tenant's live ({@code PROVISIONING} or {@code RUNNING}) sandbox to {@code DESTROYING} and answers it
     * as it now is, in one statement; empty when there is no such live sandbox (none, another tenant's, or already
     * ending or ended).
     */
    Optional<Sandbox> markDestroying(String id, String tenantId, String reason) {
        return jdbc.sql(
                        """
                        update sandboxes set state = 'DESTROYING', end_reason = ?
                        where id = ? and tenant_id = ? and state in ('PROVISIONING', 'RUNNING')
                        returning *""")
                .params(reason, id, tenantId)
                .query(SandboxTransitions::sandbox)
                .optional();
    }

    private static Sandbox sandbox(ResultSet row, int n) throws SQLException {
        return new Sandbox(
                        row.getString("id"),
                        row.getString("tenant_id"),
                        row.getString("agent_id"),
                        row.getString("provider"),
                        row.getString("region"),
                        row.getString("image"),
                        new SandboxSpec.Resources(row.getInt("vcpus"), row.getInt("memory_mib"), row.getString("gpu")),
                        new SandboxSpec.Egress(
                                EgressMode.valueOf(row.getString("egress_mode")),
                                LIST.convertToEntityAttribute(row.getString("egress_allow"))),
                        MAP.convertToEntityAttribute(row.getString("labels")),
                        row.getString("from_snapshot_id"),
                        row.getString("correlation_id"),
                        instant(row, "created_at"),
                        instant(row, "expires_at"),
                        row.getBigDecimal("reserved_usd"))
                .withProgress(
                        SandboxState.valueOf(row.getString("state")),
                        row.getString("provider_ref"),
                        row.getBigDecimal("cost_usd"),
                        instant(row, "ready_at"),
                        instant(row, "ended_at"),
                        row.getString("end_reason"));
    }

    /** Records a new sandbox, {@code PROVISIONING}. */
    void insert(Sandbox sandbox) {
        withRow(jdbc.sql("insert into sandboxes (%s) values (%s)".formatted(COLUMNS, VALUES)), sandbox)
                .update();
    }

    /**
     * Counts a new sandbox against its tenant's parallel limit and budget and records it, {@code PROVISIONING}, in one
     * statement that commits on its own: the counter row's lock is held only while Postgres runs it and commits, never
     * across a round trip to this JVM. Answers whether the sandbox was admitted; when not (a limit stood in the way, or
     * the tenant has no counter row yet) nothing was written.
     *
     * @param maxActive the tenant's parallel limit, or {@code null}
     * @param limitUsd the tenant's budget for {@code period}, or {@code null}
     */
    boolean insertIfCounted(
            Sandbox sandbox, @Nullable Integer maxActive, @Nullable BigDecimal limitUsd, LocalDate period) {
        String statement = "with counted as (%s returning tenant_id) insert into sandboxes (%s) select %s from counted"
                .formatted(SandboxCounters.COUNT_ONE, COLUMNS, VALUES);
        return SandboxCounters.countingOne(
                                withRow(jdbc.sql(statement), sandbox),
                                sandbox.getTenantId(),
                                maxActive,
                                limitUsd,
                                sandbox.getReservedUsd(),
                                period)
                        .update()
                == 1;
    }

    private static final String COLUMNS =
            """
            id, tenant_id, agent_id, provider, region, state, image, vcpus, memory_mib, gpu, egress_mode, egress_allow,
            labels, from_snapshot_id, provider_ref, correlation_id, cost_usd, reserved_usd, created_at, ready_at,
            expires_at, ended_at, end_reason""";

    /** The parameters {@link #withRow} binds, in the order of {@link #COLUMNS}, typed so a null needs no context. */
    private static final String VALUES =
            """
            cast(:id as varchar), cast(:tenantId as varchar), cast(:agentId as varchar), cast(:provider as varchar),
            cast(:region as varchar), cast(:state as varchar), cast(:image as varchar), cast(:vcpus as integer),
            cast(:memoryMib as integer), cast(:gpu as varchar), cast(:egressMode as varchar),
            cast(:egressAllow as text), cast(:labels as text), cast(:fromSnapshotId as varchar),
            cast(:providerRef as varchar), cast(:correlationId as varchar), cast(:costUsd as numeric),
            cast(:reservedUsd as numeric), cast(:createdAt as timestamptz), cast(:readyAt as timestamptz),
            cast(:expiresAt as timestamptz), cast(:endedAt as timestamptz), cast(:endReason as varchar)""";

    private static JdbcClient.StatementSpec withRow(JdbcClient.StatementSpec statement, Sandbox sandbox) {
        return statement
                .param("id", sandbox.getId())
                .param("tenantId", sandbox.getTenantId())
                .param("agentId", sandbox.getAgentId(), Types.VARCHAR)
                .param("provider", sandbox.getProvider())
                .param("region", sandbox.getRegion())
                .param("state", sandbox.getState().name())
                .param("image", sandbox.getImage(), Types.VARCHAR)
                .param("vcpus", sandbox.getResources().vcpus())
                .param("memoryMib", sandbox.getResources().memoryMib())
                .param("gpu", sandbox.getResources().gpu(), Types.VARCHAR)
                .param("egressMode", sandbox.getEgress().mode().name())
                .param(
                        "egressAllow",
                        LIST.convertToDatabaseColumn(sandbox.getEgress().allow()))
                .param("labels", MAP.convertToDatabaseColumn(sandbox.getLabels()))
                .param("fromSnapshotId", sandbox.getFromSnapshotId(), Types.VARCHAR)
                .param("providerRef", sandbox.getProviderRef(), Types.VARCHAR)
                .param("correlationId", sandbox.getCorrelationId())
                .param("costUsd", sandbox.getCostUsd())
                .param("reservedUsd", sandbox.getReservedUsd())
                .param("createdAt", utc(sandbox.getCreatedAt()))
                .param("readyAt", utc(sandbox.getReadyAt()), Types.TIMESTAMP_WITH_TIMEZONE)
                .param("expiresAt", utc(sandbox.getExpiresAt()))
                .param("endedAt", utc(sandbox.getEndedAt()), Types.TIMESTAMP_WITH_TIMEZONE)
                .param("endReason", sandbox.getEndReason(), Types.VARCHAR);
    }

    int markRunning(String id, String providerRef, Instant now) {
        return jdbc.sql(
                        """
                        update sandboxes set state = 'RUNNING', provider_ref = ?, ready_at = ?
                        where id = ? and state = 'PROVISIONING'""")
                .params(providerRef, utc(now), id)
                .update();
    }

    int recordProviderRef(String id, String providerRef) {
        return jdbc.sql("update sandboxes set provider_ref = ? where id = ? and state = 'PROVISIONING'")
                .params(providerRef, id)
                .update();
    }

    int markFailed(String id, String reason, Instant now) {
        return jdbc.sql(
                        """
                        update sandboxes set state = 'FAILED', ended_at = ?, end_reason = ?
                        where id = ? and state in ('PROVISIONING', 'RUNNING')""")
                .params(utc(now), reason, id)
                .update();
    }

    int markDestroying(String id, String reason) {
        return jdbc.sql(
                        """
                        update sandboxes set state = 'DESTROYING', end_reason = ?
                        where id = ? and state in ('PROVISIONING', 'RUNNING')""")
                .params(reason, id)
                .update();
    }

    int markDestroyed(String id, Instant now) {
        return jdbc.sql("update sandboxes set state = 'DESTROYED', ended_at = ? where id = ? and state = 'DESTROYING'")
                .params(utc(now), id)
                .update();
    }

    private static @Nullable Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** The JDBC driver takes {@code OffsetDateTime}, not {@code Instant}, for a {@code timestamptz}. */
    static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
