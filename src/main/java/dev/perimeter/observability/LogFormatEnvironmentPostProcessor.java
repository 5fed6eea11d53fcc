package dev.perimeter.observability;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Chooses the console log format before logging starts: {@code perimeter.log-format} ({@code PERIMETER_LOG_FORMAT})
 * is {@code ecs}, {@code logstash} or {@code gelf} for one JSON object per line (Spring Boot's structured logging,
 * carrying the correlation, tenant and sandbox ids), or {@code text} for readable lines. Unset, it is {@code ecs} on
 * Kubernetes and {@code text} elsewhere. An explicit {@code logging.structured.format.console} wins.
 */
class LogFormatEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String PROPERTY = "perimeter.log-format";
    static final String STRUCTURED = "logging.structured.format.console";
    static final Set<String> FORMATS = Set.of("ecs", "logstash", "gelf", "text");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (StringUtils.hasText(environment.getProperty(STRUCTURED))) {
            return;
        }
        String format = formatOf(environment);
        if (!format.equals("text")) {
            environment
                    .getPropertySources()
                    .addLast(new MapPropertySource("perimeterLogFormat", Map.of(STRUCTURED, format)));
        }
    }

    static String formatOf(ConfigurableEnvironment environment) {
        String configured = environment.getProperty(PROPERTY);
        if (!StringUtils.hasText(configured)) {
            return CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES ? "ecs" : "text";
        }
        String format = configured.strip().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new IllegalStateException(PROPERTY + "='" + configured + "' is not one of "
                    + String.join(", ", FORMATS.stream().sorted().toList()));
        }
        return format;
    }
}
