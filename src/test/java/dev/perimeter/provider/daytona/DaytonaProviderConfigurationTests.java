package dev.perimeter.provider.daytona;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.UnconfiguredProvider;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DaytonaProviderConfigurationTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(DaytonaProviderConfiguration.class);

    @Test
    void anApiKeyRegistersTheProviderWithDaytonaCloudDefaults() {
        runner.withPropertyValues("perimeter.providers.daytona.api-key=dtn_secret-key-123456789")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context).doesNotHaveBean(UnconfiguredProvider.class);
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.type()).isEqualTo("daytona");
                    assertThat(provider.capabilities().regions()).containsExactlyInAnyOrder("us", "eu");
                    DaytonaProviderProperties properties = context.getBean(DaytonaProviderProperties.class);
                    assertThat(properties.apiUrl()).hasToString("https://app.daytona.io/api");
                    assertThat(properties.toString()).doesNotContain("dtn_secret-key-123456789");
                    assertThat(provider.toString()).doesNotContain("dtn_secret-key-123456789");
                });
    }

    @Test
    void theTargetIsOfferedAsARegion() {
        runner.withPropertyValues(
                        "perimeter.providers.daytona.api-key=dtn_secret-key-123456789",
                        "perimeter.providers.daytona.target=asia",
                        "perimeter.providers.daytona.api-url=https://daytona.internal.example/api")
                .run(context -> assertThat(context.getBean(SandboxProvider.class)
                                .capabilities()
                                .regions())
                        .containsExactlyInAnyOrder("us", "eu", "asia"));
    }

    @Test
    void noApiKeyDeclaresTheProviderUnconfiguredNamingTheSetting() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(SandboxProvider.class);
            assertThat(context.getBean(UnconfiguredProvider.class))
                    .isEqualTo(new UnconfiguredProvider("daytona", java.util.List.of("DAYTONA_API_KEY")));
        });
    }

    @Test
    void aBlankApiKeyCountsAsAbsent() {
        runner.withPropertyValues("perimeter.providers.daytona.api-key=").run(context -> {
            assertThat(context).doesNotHaveBean(SandboxProvider.class);
            assertThat(context).hasSingleBean(UnconfiguredProvider.class);
        });
    }

    @Test
    void anInvalidSettingFailsStartUp() {
        runner.withPropertyValues(
                        "perimeter.providers.daytona.api-key=dtn_secret-key-123456789",
                        "perimeter.providers.daytona.connection.max-attempts=0")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("maxAttempts"));
    }

    @Test
    void theKeyIsNotExposedAsAConfigurationPropertyValueInToString() {
        runner.withPropertyValues("perimeter.providers.daytona.api-key=dtn_secret-key-123456789")
                .run(context -> assertThat(ConfigurationPropertiesBean.getAll(context).values().stream()
                                .map(bean -> bean.getInstance().toString()))
                        .noneMatch(text -> text.contains("dtn_secret-key-123456789")));
    }
}
