package dev.perimeter.jobs;

import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Background jobs run on every replica's scheduler, and each run takes a Postgres-backed ShedLock first (see
 * {@link LeaderJobs}), so that one replica at a time does the work. Lock times come from the database clock.
 * {@code perimeter.jobs.enabled=false} stops this replica's schedule; the jobs can still be run by hand.
 */
@Configuration(proxyBeanMethods = false)
class SchedulingConfiguration {

    @Bean
    LockProvider lockProvider(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .usingDbTime()
                .build());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @ConditionalOnProperty(prefix = "perimeter.jobs", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Schedules {}
}
