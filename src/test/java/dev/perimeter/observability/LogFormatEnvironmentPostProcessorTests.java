package dev.perimeter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** JSON logs on Kubernetes, readable lines elsewhere, and {@code PERIMETER_LOG_FORMAT} or Boot's own setting over both. */
class LogFormatEnvironmentPostProcessorTests {

    private final LogFormatEnvironmentPostProcessor processor = new LogFormatEnvironmentPostProcessor();

    @Test
    void textOffKubernetesAndEcsOnIt() {
        assertThat(formatAfter(new MockEnvironment())).isNull();
        assertThat(formatAfter(new MockEnvironment().withProperty("spring.main.cloud-platform", "kubernetes")))
                .isEqualTo("ecs");
    }

    @Test
    void theSettingChoosesTheFormat() {
        assertThat(formatAfter(new MockEnvironment().withProperty("perimeter.log-format", "LOGSTASH")))
                .isEqualTo("logstash");
        assertThat(formatAfter(new MockEnvironment()
                        .withProperty("spring.main.cloud-platform", "kubernetes")
                        .withProperty("perimeter.log-format", "text")))
                .isNull();
    }

    @Test
    void bootsOwnSettingWins() {
        assertThat(formatAfter(new MockEnvironment()
                        .withProperty("perimeter.log-format", "ecs")
                        .withProperty("logging.structured.format.console", "gelf")))
                .isEqualTo("gelf");
    }

    @Test
    void anUnknownFormatStopsTheStart() {
        assertThatIllegalStateException()
                .isThrownBy(() -> formatAfter(new MockEnvironment().withProperty("perimeter.log-format", "json")))
                .withMessageContaining("ecs, gelf, logstash, text");
    }

    private String formatAfter(MockEnvironment environment) {
        processor.postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty("logging.structured.format.console");
    }
}
