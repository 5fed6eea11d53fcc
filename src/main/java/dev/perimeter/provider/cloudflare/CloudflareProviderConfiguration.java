package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.UnconfiguredProvider;
import dev.perimeter.provider.http.VendorHttp;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.StringUtils;

/**
 * Wires the {@code cloudflare} provider when {@code CLOUDFLARE_SANDBOX_BRIDGE_URL} and {@code
 * CLOUDFLARE_SANDBOX_BRIDGE_TOKEN} are both set; otherwise declares it {@link UnconfiguredProvider unconfigured}, so a
 * request for it is refused naming the missing settings.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CloudflareProviderProperties.class)
class CloudflareProviderConfiguration {

    static final String URL_SETTING = "CLOUDFLARE_SANDBOX_BRIDGE_URL";
    static final String TOKEN_SETTING = "CLOUDFLARE_SANDBOX_BRIDGE_TOKEN";
    private static final String PREFIX = "perimeter.providers.cloudflare.";

    private static final Logger log = LoggerFactory.getLogger(CloudflareProviderConfiguration.class);

    @Bean(destroyMethod = "close")
    @Conditional(BridgeConfigured.class)
    BridgeClient cloudflareBridgeClient(CloudflareProviderProperties properties) {
        URI url = bridgeUrl(properties.bridgeUrl());
        String authorization = "Bearer " + properties.bridgeToken();
        VendorHttp http = new VendorHttp(
                CloudflareSandboxProvider.TYPE,
                new VendorHttp.Settings(
                        properties.connectTimeout(),
                        properties.requestTimeout(),
                        properties.maxAttempts(),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(10),
                        20,
                        Duration.ofSeconds(30)),
                () -> Map.of("Authorization", authorization));
        return new BridgeClient(
                http, url, properties.startTimeout(), properties.requestTimeout(), properties.execGrace());
    }

    @Bean
    @Conditional(BridgeConfigured.class)
    CloudflareSandboxProvider cloudflareSandboxProvider(
            BridgeClient bridge, CloudflareProviderProperties properties, JdbcClient jdbc) {
        if (properties.egressMode() == EgressMode.ALLOWLIST) {
            throw new IllegalStateException("perimeter.providers.cloudflare.egress-mode=ALLOWLIST cannot be honoured:"
                    + " the sandbox bridge has no per-sandbox egress setting. Declare DENY_ALL or ALLOW_ALL, whichever"
                    + " the deployed Worker enforces for every sandbox.");
        }
        log.info(
                "Cloudflare provider: sandbox bridge at {}{}, egress {}",
                bridgeUrl(properties.bridgeUrl()).getHost(),
                StringUtils.hasText(properties.accountId()) ? " in account " + properties.accountId() : "",
                properties.egressMode());
        return new CloudflareSandboxProvider(
                bridge,
                new JdbcBridgeLedger(jdbc),
                new JdbcArchiveStore(jdbc),
                properties.execGrace(),
                properties.egressMode());
    }

    @Bean
    @Conditional(BridgeConfigured.class)
    WarmPoolPrimer cloudflareWarmPoolPrimer(BridgeClient bridge, CloudflareProviderProperties properties) {
        return new WarmPoolPrimer(bridge, properties.primeWarmPool());
    }

    @Bean
    @Conditional(BridgeNotConfigured.class)
    UnconfiguredProvider unconfiguredCloudflareProvider(Environment environment) {
        return new UnconfiguredProvider(CloudflareSandboxProvider.TYPE, missing(environment));
    }

    static List<String> missing(Environment environment) {
        List<String> missing = new ArrayList<>();
        if (!StringUtils.hasText(environment.getProperty(PREFIX + "bridge-url"))) {
            missing.add(URL_SETTING);
        }
        if (!StringUtils.hasText(environment.getProperty(PREFIX + "bridge-token"))) {
            missing.add(TOKEN_SETTING);
        }
        return missing;
    }

    private static URI bridgeUrl(String value) {
        URI url;
        try {
            url = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(URL_SETTING + " is not a URL: " + e.getMessage(), e);
        }
        if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalStateException(
                    URL_SETTING + " must be an http(s) URL such as" + " https://sandbox-bridge.example.workers.dev");
        }
        if (url.getUserInfo() != null || url.getQuery() != null) {
            throw new IllegalStateException(
                    URL_SETTING + " must not carry credentials or a query; put the token in " + TOKEN_SETTING);
        }
        return url;
    }

    /** Both settings are present. */
    static final class BridgeConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            List<String> missing = missing(context.getEnvironment());
            return missing.isEmpty()
                    ? ConditionOutcome.match("the Cloudflare sandbox bridge is configured")
                    : ConditionOutcome.noMatch("missing " + missing);
        }
    }

    /** At least one setting is absent. */
    static final class BridgeNotConfigured extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            List<String> missing = missing(context.getEnvironment());
            return missing.isEmpty()
                    ? ConditionOutcome.noMatch("the Cloudflare sandbox bridge is configured")
                    : ConditionOutcome.match("missing " + missing);
        }
    }
}
