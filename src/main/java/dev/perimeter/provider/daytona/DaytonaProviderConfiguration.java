package dev.perimeter.provider.daytona;

import dev.perimeter.provider.UnconfiguredProvider;
import dev.perimeter.provider.http.VendorHttp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Wires the {@code daytona} provider when {@code DAYTONA_API_KEY} ({@code perimeter.providers.daytona.api-key}) is
 * set; otherwise declares it {@link UnconfiguredProvider unconfigured}, so asking for it answers {@code
 * provider-not-allowed} naming the setting.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DaytonaProviderProperties.class)
class DaytonaProviderConfiguration {

    static final String API_KEY = "perimeter.providers.daytona.api-key";

    @Bean
    @Conditional(ApiKeySet.class)
    DaytonaSandboxProvider daytonaSandboxProvider(DaytonaProviderProperties properties) {
        return new DaytonaSandboxProvider(properties, http(properties), Clock.systemUTC());
    }

    @Bean
    @Conditional(ApiKeyUnset.class)
    UnconfiguredProvider unconfiguredDaytonaProvider() {
        return new UnconfiguredProvider(DaytonaSandboxProvider.TYPE, List.of("DAYTONA_API_KEY"));
    }

    static VendorHttp http(DaytonaProviderProperties properties) {
        DaytonaProviderProperties.Connection connection = properties.connection();
        Map<String, String> credentials = Map.of("Authorization", "Bearer " + properties.apiKey());
        return new VendorHttp(
                DaytonaSandboxProvider.TYPE,
                new VendorHttp.Settings(
                        connection.connectTimeout(),
                        connection.requestTimeout(),
                        connection.maxAttempts(),
                        connection.initialBackoff(),
                        connection.maxRetryAfter(),
                        connection.breakerWindow(),
                        connection.breakerOpenFor()),
                () -> credentials);
    }

    static final class ApiKeySet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty(API_KEY));
        }
    }

    static final class ApiKeyUnset implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty(API_KEY));
        }
    }
}
