package dev.perimeter.provider.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.UnconfiguredProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

@ExtendWith(OutputCaptureExtension.class)
class CloudflareProviderConfigurationTests {

    private static final String TOKEN = "a-bridge-token-that-must-never-be-logged";

    private final CloudflareBridgeFake bridge = new CloudflareBridgeFake(TOKEN).start();

    @AfterEach
    void stopBridge() {
        bridge.stop();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(CloudflareProviderConfiguration.class)
                .withBean(JdbcClient.class, () -> JdbcClient.create(new SimpleDriverDataSource()));
    }

    @Test
    void bridgeUrlAndTokenRegisterTheProvider(CapturedOutput output) {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=" + bridge.baseUrl(),
                        "perimeter.providers.cloudflare.bridge-token=" + TOKEN,
                        "perimeter.providers.cloudflare.account-id=acct-123")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context).doesNotHaveBean(UnconfiguredProvider.class);
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.type()).isEqualTo("cloudflare");
                    assertThat(provider.capabilities().egressModes()).containsExactly(EgressMode.ALLOW_ALL);
                });
        assertThat(output).contains("account acct-123").doesNotContain(TOKEN);
    }

    @Test
    void absentSettingsDeclareTheProviderUnconfiguredNamingThem() {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=", "perimeter.providers.cloudflare.bridge-token=")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(SandboxProvider.class);
                    assertThat(context.getBean(UnconfiguredProvider.class))
                            .isEqualTo(new UnconfiguredProvider(
                                    "cloudflare",
                                    java.util.List.of(
                                            "CLOUDFLARE_SANDBOX_BRIDGE_URL", "CLOUDFLARE_SANDBOX_BRIDGE_TOKEN")));
                });
    }

    @Test
    void aUrlWithoutItsTokenIsStillUnconfigured() {
        runner().withPropertyValues("perimeter.providers.cloudflare.bridge-url=" + bridge.baseUrl())
                .run(context -> {
                    assertThat(context).doesNotHaveBean(SandboxProvider.class);
                    assertThat(context.getBean(UnconfiguredProvider.class).missingSettings())
                            .containsExactly("CLOUDFLARE_SANDBOX_BRIDGE_TOKEN");
                });
    }

    @Test
    void declaredDenyAllEgressIsWhatTheProviderOffers() {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=" + bridge.baseUrl(),
                        "perimeter.providers.cloudflare.bridge-token=" + TOKEN,
                        "perimeter.providers.cloudflare.egress-mode=DENY_ALL")
                .run(context -> assertThat(context.getBean(SandboxProvider.class)
                                .capabilities()
                                .egressModes())
                        .containsExactly(EgressMode.DENY_ALL));
    }

    @Test
    void anAllowlistCannotBeDeclaredBecauseTheBridgeHasNoPerSandboxEgress() {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=" + bridge.baseUrl(),
                        "perimeter.providers.cloudflare.bridge-token=" + TOKEN,
                        "perimeter.providers.cloudflare.egress-mode=ALLOWLIST")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("no per-sandbox egress setting"));
    }

    @Test
    void aBridgeUrlWithCredentialsInItIsRefused() {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=https://user:pw@bridge.example.workers.dev",
                        "perimeter.providers.cloudflare.bridge-token=" + TOKEN)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("must not carry credentials")
                        .hasMessageNotContaining("pw@"));
    }

    @Test
    void primingAsksTheBridgeToStartItsWarmPool() {
        runner().withPropertyValues(
                        "perimeter.providers.cloudflare.bridge-url=" + bridge.baseUrl(),
                        "perimeter.providers.cloudflare.bridge-token=" + TOKEN,
                        "perimeter.providers.cloudflare.prime-warm-pool=true")
                .run(context -> {
                    assertThat(context.getBean(WarmPoolPrimer.class).prime()).isEqualTo(2);
                    assertThat(bridge.primeCalls()).isEqualTo(1);
                });
    }
}
