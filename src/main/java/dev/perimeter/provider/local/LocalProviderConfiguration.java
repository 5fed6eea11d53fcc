package dev.perimeter.provider.local;

import dev.perimeter.provider.local.LocalProviderProperties.Isolation;
import dev.perimeter.shared.PerimeterProperties;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the {@code local} provider unless {@code perimeter.providers.local.enabled=false}. Refuses to start when
 * bubblewrap is missing, unless isolation was explicitly switched off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
        prefix = "perimeter.providers.local",
        name = "enabled",
        havingValue = "true",
        matchIfMissing = true)
@EnableConfigurationProperties({LocalProviderProperties.class, PerimeterProperties.class})
class LocalProviderConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LocalProviderConfiguration.class);

    @Bean
    LocalSandboxProvider localSandboxProvider(LocalProviderProperties local, PerimeterProperties perimeter) {
        Path root = perimeter.dataDir().resolve("local");
        return new LocalSandboxProvider(new LocalLayout(root), launcher(local));
    }

    private static Launcher launcher(LocalProviderProperties local) {
        if (local.isolation() == Isolation.NONE) {
            log.warn("perimeter.providers.local.isolation=none: sandbox commands run directly on this host, as this"
                    + " server's user, with its network and files. Use this only for development.");
            return new UnisolatedCommand();
        }
        Path bwrap = Executables.find(local.bwrapPath())
                .orElseThrow(() -> new IllegalStateException(missingBubblewrap(local.bwrapPath())));
        return new BubblewrapCommand(bwrap);
    }

    static String missingBubblewrap(String bwrapPath) {
        return "bubblewrap (bwrap) is not installed, or '" + bwrapPath + "' is not an executable file. The local"
                + " provider runs every sandbox command inside bubblewrap: install it with `apt-get install"
                + " bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap` (Fedora/RHEL), or point"
                + " perimeter.providers.local.bwrap-path at it, or set perimeter.providers.local.isolation=none to"
                + " run WITHOUT isolation (commands then run directly on this host), or set"
                + " perimeter.providers.local.enabled=false.";
    }
}
