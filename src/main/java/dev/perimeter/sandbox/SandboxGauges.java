package dev.perimeter.sandbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Date;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Gauges read from Postgres on every replica, so any replica's scrape shows the whole fleet:
 * {@code perimeter.sandboxes.active} by tenant and provider, and {@code perimeter.tenant.spend} (USD this budget
 * period) by tenant. Aggregate them with {@code max}, not {@code sum}, across replicas.
 */
@Component
class SandboxGauges {

    private static final RowMapper<MultiGauge.Row<?>> ACTIVE_ROW = (rs, row) ->
            MultiGauge.Row.of(Tags.of("tenant", rs.getString(1), "provider", rs.getString(2)), rs.getLong(3));
    private static final RowMapper<MultiGauge.Row<?>> SPEND_ROW = (rs, row) -> MultiGauge.Row.of(
            Tags.of("tenant", rs.getString(1)), rs.getBigDecimal(2).doubleValue());

    private final JdbcClient jdbc;
    private final Clock clock;
    private final MultiGauge active;
    private final MultiGauge spend;

    SandboxGauges(JdbcClient jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.active = MultiGauge.builder("perimeter.sandboxes.active")
                .description("Sandboxes not yet DESTROYED or FAILED")
                .register(meters);
        this.spend = MultiGauge.builder("perimeter.tenant.spend")
                .description("What the tenant spent in the current budget period")
                .baseUnit("usd")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${perimeter.sandbox.meter-interval:PT10S}", initialDelay = 0)
    void refresh() {
        List<MultiGauge.Row<?>> activeRows = jdbc.sql(
                        """
                        select tenant_id, provider, count(*) from sandboxes
                        where state in ('PROVISIONING', 'RUNNING', 'DESTROYING')
                        group by tenant_id, provider""")
                .query(ACTIVE_ROW)
                .list();
        active.register(activeRows, true);
        List<MultiGauge.Row<?>> spendRows = jdbc.sql(
                        "select tenant_id, spent_usd from tenant_spend where period_start = :period")
                .param("period", Date.valueOf(dev.perimeter.tenant.Budget.Period.MONTHLY.startOf(clock.instant())))
                .query(SPEND_ROW)
                .list();
        spend.register(spendRows, true);
    }
}
