package dev.perimeter.sandbox;

import dev.perimeter.cost.Charge;
import dev.perimeter.cost.Pricing;
import dev.perimeter.cost.Rates;
import dev.perimeter.cost.UsageLedger;
import dev.perimeter.tenant.Budget;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns running sandboxes and stored snapshots into ledger charges. Each sandbox is metered in its own transaction,
 * under its row lock: the charge goes to the ledger and the tenant's spend, onto the sandbox's {@code costUsd}, and the
 * same amount comes off its reservation. A sandbox is charged from {@code readyAt} to {@code endedAt} (or now), plus
 * the provider's create fee once.
 */
@Component
class UsageMeter {

    private static final BigDecimal MIB_PER_GIB = BigDecimal.valueOf(1024);

    private final JdbcClient jdbc;
    private final UsageLedger ledger;
    private final Pricing pricing;
    private final SandboxCounters counters;
    private final TransactionTemplate transactions;
    private final Clock clock;

    UsageMeter(
            JdbcClient jdbc,
            UsageLedger ledger,
            Pricing pricing,
            SandboxCounters counters,
            TransactionTemplate transactions,
            Clock clock) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.pricing = pricing;
        this.counters = counters;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Meters up to {@code batch} sandboxes and snapshots that have unbilled time; answers how many. */
    int meter(int batch) {
        Instant now = clock.instant();
        List<String> sandboxes = due(
                """
                select id from sandboxes
                where ready_at is not null
                  and (ended_at is null or metered_until is null or metered_until < ended_at)
                  and (metered_until is null or metered_until < :now)
                order by metered_until nulls first
                limit :batch""",
                now,
                batch);
        sandboxes.forEach(id -> transactions.executeWithoutResult(status -> meterSandbox(id, now)));
        List<String> snapshots = due(
                """
                select id from snapshots
                where state = 'READY' and (metered_until is null or metered_until < :now)
                order by metered_until nulls first
                limit :batch""",
                now,
                batch);
        snapshots.forEach(id -> transactions.executeWithoutResult(status -> meterSnapshot(id, now)));
        return sandboxes.size() + snapshots.size();
    }

    private List<String> due(String query, Instant now, int batch) {
        return jdbc.sql(query)
                .param("now", Timestamp.from(now))
                .param("batch", batch)
                .query(String.class)
                .list();
    }

    private record Running(
            String id,
            String tenantId,
            String provider,
            int vcpus,
            int memoryMib,
            @Nullable String gpu,
            Instant readyAt,
            @Nullable Instant endedAt,
            @Nullable Instant meteredUntil,
            BigDecimal reservedUsd) {}

    private void meterSandbox(String id, Instant now) {
        Running sandbox = jdbc.sql(
                        """
                        select id, tenant_id, provider, vcpus, memory_mib, gpu, ready_at, ended_at, metered_until,
                               reserved_usd
                        from sandboxes where id = :id for update""")
                .param("id", id)
                .query((rs, row) -> new Running(
                        rs.getString("id"),
                        rs.getString("tenant_id"),
                        rs.getString("provider"),
                        rs.getInt("vcpus"),
                        rs.getInt("memory_mib"),
                        rs.getString("gpu"),
                        rs.getTimestamp("ready_at").toInstant(),
                        instant(rs.getTimestamp("ended_at")),
                        instant(rs.getTimestamp("metered_until")),
                        rs.getBigDecimal("reserved_usd")))
                .single();
        Instant from = sandbox.meteredUntil() != null ? sandbox.meteredUntil() : sandbox.readyAt();
        Instant to = sandbox.endedAt() != null && sandbox.endedAt().isBefore(now) ? sandbox.endedAt() : now;
        boolean firstCharge = sandbox.meteredUntil() == null;
        if (!to.isAfter(from) && !firstCharge) {
            return;
        }
        Rates rates = pricing.ratesOf(sandbox.provider());
        BigDecimal cost = BigDecimal.ZERO;
        if (firstCharge) {
            BigDecimal fee = Rates.round(rates.perCreateUsd());
            ledger.record(charge(sandbox, Charge.Kind.CREATE, from, from, Duration.ZERO, fee));
            cost = cost.add(fee);
        }
        if (to.isAfter(from)) {
            Duration ran = Duration.between(from, to);
            BigDecimal runtime = Rates.round(rates.perSecond(sandbox.vcpus(), sandbox.memoryMib(), sandbox.gpu())
                    .multiply(Rates.seconds(ran)));
            ledger.record(charge(sandbox, Charge.Kind.RUNTIME, from, to, ran, runtime));
            cost = cost.add(runtime);
        }
        jdbc.sql("update sandboxes set cost_usd = cost_usd + :cost, metered_until = :to where id = :id")
                .param("id", id)
                .param("cost", cost)
                .param("to", Timestamp.from(to.isAfter(from) ? to : from))
                .update();
        counters.charge(
                sandbox.tenantId(),
                id,
                cost,
                cost.min(sandbox.reservedUsd()),
                Budget.Period.MONTHLY.startOf(to.isAfter(from) ? to : from));
    }

    private static Charge charge(
            Running sandbox, Charge.Kind kind, Instant from, Instant to, Duration ran, BigDecimal cost) {
        BigDecimal seconds = Rates.seconds(ran);
        return new Charge(
                sandbox.tenantId(),
                sandbox.provider(),
                kind,
                sandbox.id(),
                null,
                from,
                to,
                seconds,
                seconds.multiply(BigDecimal.valueOf(sandbox.vcpus())),
                seconds.multiply(BigDecimal.valueOf(sandbox.memoryMib()))
                        .divide(MIB_PER_GIB, 6, java.math.RoundingMode.HALF_UP),
                sandbox.gpu() == null ? BigDecimal.ZERO : seconds,
                cost);
    }

    private record Stored(
            String id,
            String tenantId,
            String provider,
            long sizeBytes,
            Instant createdAt,
            @Nullable Instant meteredUntil) {}

    private void meterSnapshot(String id, Instant now) {
        Stored snapshot = jdbc.sql(
                        """
                        select id, tenant_id, provider, coalesce(size_bytes, 0) as size_bytes, created_at, metered_until
                        from snapshots where id = :id and state = 'READY' for update""")
                .param("id", id)
                .query((rs, row) -> new Stored(
                        rs.getString("id"),
                        rs.getString("tenant_id"),
                        rs.getString("provider"),
                        rs.getLong("size_bytes"),
                        rs.getTimestamp("created_at").toInstant(),
                        instant(rs.getTimestamp("metered_until"))))
                .optional()
                .orElse(null);
        if (snapshot == null) {
            return;
        }
        Instant from = snapshot.meteredUntil() != null ? snapshot.meteredUntil() : snapshot.createdAt();
        if (!now.isAfter(from)) {
            return;
        }
        BigDecimal cost =
                pricing.ratesOf(snapshot.provider()).storage(snapshot.sizeBytes(), Duration.between(from, now));
        ledger.record(new Charge(
                snapshot.tenantId(),
                snapshot.provider(),
                Charge.Kind.SNAPSHOT_STORAGE,
                null,
                snapshot.id(),
                from,
                now,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                cost));
        counters.charge(snapshot.tenantId(), null, cost, BigDecimal.ZERO, Budget.Period.MONTHLY.startOf(now));
        jdbc.sql("update snapshots set cost_usd = cost_usd + :cost, metered_until = :to where id = :id")
                .param("id", id)
                .param("cost", cost)
                .param("to", Timestamp.from(now))
                .update();
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
