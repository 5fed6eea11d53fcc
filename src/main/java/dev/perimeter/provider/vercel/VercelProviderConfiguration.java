package dev.perimeter.provider.vercel;

import dev.perimeter.provider.UnconfiguredProvider;
import dev.perimeter.provider.http.VendorHttp;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the {@code vercel} provider when a token, a team and a project are configured; otherwise declares it
 * {@link UnconfiguredProvider unconfigured}, so a request for it is refused naming the missing environment variables.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(VercelProviderProperties.class)
class VercelProviderConfiguration {

    @Bean
    @Conditional(VercelSettingsCondition.Present.class)
    VercelSandboxProvider vercelSandboxProvider(VercelProviderProperties properties) {
        String authorization = "Bearer " + properties.bearerToken();
        VendorHttp http = new VendorHttp(
                VercelSandboxProvider.TYPE,
                new VendorHttp.Settings(
                        properties.connectTimeout(),
                        properties.requestTimeout(),
                        properties.maxAttempts(),
                        VendorHttp.Settings.defaults().initialBackoff(),
                        VendorHttp.Settings.defaults().maxRetryAfter(),
                        VendorHttp.Settings.defaults().breakerWindow(),
                        VendorHttp.Settings.defaults().breakerOpenFor()),
                () -> Map.of("Authorization", authorization));
        return new VercelSandboxProvider(new VercelApi(http, properties), properties);
    }

    @Bean
    @Conditional(VercelSettingsCondition.Missing.class)
    UnconfiguredProvider vercelUnconfigured(VercelProviderProperties properties) {
        return new UnconfiguredProvider(VercelSandboxProvider.TYPE, properties.missingSettings());
    }
}
