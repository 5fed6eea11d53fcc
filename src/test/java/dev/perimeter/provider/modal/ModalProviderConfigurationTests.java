package dev.perimeter.provider.modal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.UnconfiguredProvider;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ModalProviderConfigurationTests {

    private final FakeModal fake = new FakeModal();

    @AfterEach
    void stop() {
        fake.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(ModalProviderConfiguration.class)
                .withBean(ModalChannels.class, fake::channels);
    }

    @Test
    void tokensPresentRegisterTheProvider() {
        runner().withPropertyValues(
                        "perimeter.providers.modal.token-id=" + FakeModal.TOKEN_ID,
                        "perimeter.providers.modal.token-secret=" + FakeModal.TOKEN_SECRET,
                        "perimeter.providers.modal.server-url=" + FakeModal.SERVER_URL,
                        "perimeter.providers.modal.regions=us-east,eu-west",
                        "perimeter.providers.modal.timeout=3600")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context).doesNotHaveBean(UnconfiguredProvider.class);
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.type()).isEqualTo("modal");
                    assertThat(provider.capabilities().regions()).containsExactlyInAnyOrder("us-east", "eu-west");
                    assertThat(provider.capabilities().maxLifetime()).isEqualTo(Duration.ofHours(1));
                });
    }

    @Test
    void tokensAbsentDeclareTheProviderUnconfiguredNamingBoth() {
        runner().run(context -> {
            assertThat(context).doesNotHaveBean(SandboxProvider.class);
            assertThat(context.getBean(UnconfiguredProvider.class))
                    .isEqualTo(new UnconfiguredProvider(
                            "modal", java.util.List.of("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET")));
        });
    }

    @Test
    void aMissingSecretIsNamed() {
        runner().withPropertyValues("perimeter.providers.modal.token-id=" + FakeModal.TOKEN_ID)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(SandboxProvider.class);
                    assertThat(context.getBean(UnconfiguredProvider.class).missingSettings())
                            .containsExactly("MODAL_TOKEN_SECRET");
                });
    }

    @Test
    void theDefaultTransportIsNetty() {
        new ApplicationContextRunner()
                .withUserConfiguration(ModalProviderConfiguration.class)
                .run(context ->
                        assertThat(context.getBean(ModalChannels.class)).isInstanceOf(NettyModalChannels.class));
    }

    @Test
    void propertiesNeverPrintTheTokens() {
        assertThat(ModalTestSupport.properties().toString())
                .doesNotContain(FakeModal.TOKEN_ID)
                .doesNotContain(FakeModal.TOKEN_SECRET);
    }
}
