package dev.perimeter.audit;

import dev.perimeter.jobs.LeaderJobs;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes audit events past the retention period, by the database's clock, in batches, on one replica at a time. It
 * is the only writer allowed to delete: the table's trigger refuses every other update or delete.
 */
@Component
@EnableConfigurationProperties(AuditProperties.class)
class AuditRetention {

    static final String JOB = "audit-retention";
    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    private static final int BATCH = 5_000;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final LeaderJobs jobs;
    private final AuditProperties properties;

    AuditRetention(JdbcClient jdbc, TransactionTemplate transactions, LeaderJobs jobs, AuditProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.jobs = jobs;
        this.properties = properties;
    }

    @Scheduled(
            fixedDelayString = "${perimeter.audit.retention-interval:PT1H}",
            initialDelayString = "${perimeter.audit.retention-interval:PT1H}")
    void scheduled() {
        run();
    }

    /** One run, unless another replica holds the lock; answers whether it ran here. */
    boolean run() {
        return jobs.runExclusively(JOB, properties.retentionInterval(), Duration.ofMinutes(30), () -> {
            long deleted = 0;
            int batch;
            do {
                batch = deleteBatch();
                deleted += batch;
            } while (batch == BATCH);
            if (deleted > 0) {
                log.info("Audit retention deleted {} events older than {}", deleted, properties.retention());
            }
        });
    }

    private int deleteBatch() {
        Integer deleted = transactions.execute(status -> {
            jdbc.sql("select set_config('perimeter.audit_retention', 'on', true)")
                    .query()
                    .singleValue();
            return jdbc.sql(
                            """
                            delete from audit_events where id in (
                                select id from audit_events
                                where at < now() - cast(? as interval)
                                limit ?)
                            """)
                    .params(properties.retention().getSeconds() + " seconds", BATCH)
                    .update();
        });
        return deleted == null ? 0 : deleted;
    }
}
