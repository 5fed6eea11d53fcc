package dev.perimeter.tenant;

import dev.perimeter.shared.PerimeterProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Installs the platform team's first admin key at start-up. It comes from {@code PERIMETER_BOOTSTRAP_ADMIN_KEY}; when
 * that is unset on the embedded default, one is generated on first start and written to {@code <data dir>/admin.key}
 * (mode 0600). The log says where the key is, never the key.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);
    static final int MIN_LENGTH = 32;

    private final ApiKeyManagement keys;
    private final PerimeterProperties properties;
    private final Environment environment;

    BootstrapAdminKey(ApiKeyManagement keys, PerimeterProperties properties, Environment environment) {
        this.keys = keys;
        this.properties = properties;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) {
        String configured = environment.getProperty("perimeter.bootstrap-admin-key", "");
        if (StringUtils.hasText(configured)) {
            if (configured.length() < MIN_LENGTH) {
                throw new IllegalStateException(
                        "PERIMETER_BOOTSTRAP_ADMIN_KEY must be at least " + MIN_LENGTH + " characters of random text");
            }
            keys.installBootstrapAdminKey(configured.strip());
            log.info("Bootstrap admin key installed from PERIMETER_BOOTSTRAP_ADMIN_KEY");
            return;
        }
        if (StringUtils.hasText(environment.getProperty("spring.datasource.url"))) {
            log.info("PERIMETER_BOOTSTRAP_ADMIN_KEY is unset; existing admin keys stay in force");
            return;
        }
        Path file = properties.dataDir().toAbsolutePath().resolve("admin.key");
        keys.installBootstrapAdminKey(readOrCreate(file));
        log.info("Bootstrap admin key is in {} (readable by this user only)", file);
    }

    private static String readOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(file.getParent());
            String key = ApiKeyManagement.newBootstrapKey();
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the bootstrap admin key at " + file, e);
        }
    }
}
