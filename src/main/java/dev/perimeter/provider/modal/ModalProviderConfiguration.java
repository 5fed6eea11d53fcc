package dev.perimeter.provider.modal;

import dev.perimeter.provider.UnconfiguredProvider;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Wires the {@code modal} provider when {@code MODAL_TOKEN_ID} and {@code MODAL_TOKEN_SECRET} are both set; otherwise
 * declares it unconfigured, so a request for it is refused naming the settings to add.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ModalProviderProperties.class)
class ModalProviderConfiguration {

    private static final String PREFIX = "perimeter.providers.modal.";

    @Bean
    @ConditionalOnMissingBean
    ModalChannels modalChannels() {
        return new NettyModalChannels();
    }

    @Bean
    @Conditional(TokensPresent.class)
    ModalSandboxProvider modalSandboxProvider(ModalProviderProperties properties, ModalChannels channels) {
        return ModalSandboxProvider.connect(properties, channels);
    }

    @Bean
    @Conditional(TokensAbsent.class)
    UnconfiguredProvider unconfiguredModalProvider(ModalProviderProperties properties) {
        return new UnconfiguredProvider(ModalSandboxProvider.TYPE, properties.missingSettings());
    }

    /** Both tokens are set. */
    static final class TokensPresent extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var environment = context.getEnvironment();
            boolean present = StringUtils.hasText(environment.getProperty(PREFIX + "token-id"))
                    && StringUtils.hasText(environment.getProperty(PREFIX + "token-secret"));
            return present
                    ? ConditionOutcome.match("Modal tokens are set")
                    : ConditionOutcome.noMatch("MODAL_TOKEN_ID or MODAL_TOKEN_SECRET is not set");
        }
    }

    /** A token is missing. */
    static final class TokensAbsent extends NoneNestedConditions {

        TokensAbsent() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @Conditional(TokensPresent.class)
        static final class Present {}
    }
}
