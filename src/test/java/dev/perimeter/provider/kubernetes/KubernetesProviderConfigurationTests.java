package dev.perimeter.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.UnconfiguredProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class KubernetesProviderConfigurationTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(KubernetesProviderConfiguration.class);

    @Test
    void enabledRegistersTheProviderWithFabric8sOwnClusterConfiguration() {
        runner.withPropertyValues(
                        "perimeter.providers.kubernetes.enabled=true",
                        "perimeter.providers.kubernetes.namespace=agents",
                        "perimeter.providers.kubernetes.runtime-class=gvisor")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context).hasSingleBean(KubernetesClient.class);
                    assertThat(context).doesNotHaveBean(UnconfiguredProvider.class);
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.type()).isEqualTo("kubernetes");
                    assertThat(provider.capabilities().egressModes()).containsExactlyInAnyOrder(EgressMode.values());
                    assertThat(provider.capabilities().snapshotPersistence()).isEqualTo(SnapshotPersistence.PERSISTENT);
                    assertThat(provider.capabilities().regions()).containsExactly("cluster");
                    KubernetesProviderProperties properties = context.getBean(KubernetesProviderProperties.class);
                    assertThat(properties.namespace()).isEqualTo("agents");
                    assertThat(properties.runtimeClass()).isEqualTo("gvisor");
                    assertThat(properties.image()).isEqualTo("debian:bookworm-slim");
                });
    }

    @Test
    void aWarmPoolClaimsFromItAndCannotRunOtherImages() {
        runner.withPropertyValues(
                        "perimeter.providers.kubernetes.enabled=true",
                        "perimeter.providers.kubernetes.warm-pool=python-pool",
                        "perimeter.providers.kubernetes.timeouts.claim-ready=45s")
                .run(context -> {
                    KubernetesProviderProperties properties = context.getBean(KubernetesProviderProperties.class);
                    assertThat(properties.warmPoolName()).isEqualTo("python-pool");
                    assertThat(properties.timeouts().claimReady()).isEqualTo(Duration.ofSeconds(45));
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.capabilities().customImages()).isFalse();
                    assertThat(provider.capabilities().egressModes()).containsExactlyInAnyOrder(EgressMode.values());
                });
    }

    @Test
    void noWarmPoolMeansBarePodsWithAnyImage() {
        runner.withPropertyValues(
                        "perimeter.providers.kubernetes.enabled=true", "perimeter.providers.kubernetes.warm-pool= ")
                .run(context -> {
                    KubernetesProviderProperties properties = context.getBean(KubernetesProviderProperties.class);
                    assertThat(properties.warmPoolName()).isNull();
                    assertThat(properties.timeouts().claimReady()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(context.getBean(SandboxProvider.class)
                                    .capabilities()
                                    .customImages())
                            .isTrue();
                });
    }

    @Test
    void notEnabledDeclaresTheProviderUnconfiguredNamingTheSetting() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(SandboxProvider.class);
            assertThat(context).doesNotHaveBean(KubernetesClient.class);
            assertThat(context.getBean(UnconfiguredProvider.class))
                    .isEqualTo(new UnconfiguredProvider("kubernetes", List.of("KUBERNETES_SANDBOX_ENABLED")));
        });
    }

    @Test
    void enabledFalseCountsAsAbsent() {
        runner.withPropertyValues("perimeter.providers.kubernetes.enabled=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(SandboxProvider.class);
                    assertThat(context).hasSingleBean(UnconfiguredProvider.class);
                });
    }

    @Test
    void aBlankNamespaceFailsStartUp() {
        runner.withPropertyValues(
                        "perimeter.providers.kubernetes.enabled=true", "perimeter.providers.kubernetes.namespace= ")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("namespace"));
    }
}
