package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

/** The connector's settings: their defaults, and values the Anthropic API would refuse stop start-up. */
class AnthropicConnectorPropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(AnthropicConnectorConfiguration.class);

    @Test
    void theDefaultsPointAtAnthropicAndRefuseWebhooksUntilAKeyIsSet() {
        runner.run(context -> {
            AnthropicConnectorProperties properties = context.getBean(AnthropicConnectorProperties.class);
            assertThat(properties.baseUrl()).isEqualTo("https://api.anthropic.com");
            assertThat(properties.webhookSigningKey()).isEmpty();
            assertThat(properties.blockMs()).isEqualTo(999);
            assertThat(properties.reclaimOlderThan()).isEqualTo(Duration.ofSeconds(5));
            assertThat(properties.claimTimeout()).isEqualTo(Duration.ofMinutes(2));
            assertThat(properties.workerMaxRun()).isEqualTo(Duration.ofHours(1));
        });
    }

    @Test
    void aBlockOutsideWhatThePollAcceptsOrAnEmptyBaseUrlStopsStartUp() {
        runner.withPropertyValues("perimeter.connector.anthropic.block-ms=1000")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("perimeter.connector.anthropic.block-ms=0")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("perimeter.connector.anthropic.base-url= ")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("perimeter.connector.anthropic.max-items-per-poll=0")
                .run(context -> assertThat(context).hasFailed());
    }
}
