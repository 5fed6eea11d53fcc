package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.UnconfiguredProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the {@code kubernetes} provider when {@code KUBERNETES_SANDBOX_ENABLED} ({@code
 * perimeter.providers.kubernetes.enabled}) is {@code true}, connecting with fabric8's own auto-configuration
 * (in-cluster service account, else kubeconfig); otherwise declares it {@link UnconfiguredProvider unconfigured}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KubernetesProviderProperties.class)
class KubernetesProviderConfiguration {

    static final String ENABLED = "perimeter.providers.kubernetes.enabled";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(ENABLED)
    static class Enabled {

        /** The cluster client; a bean of its own so tests can point it at a mock API server. */
        @Bean(destroyMethod = "close")
        KubernetesClient perimeterKubernetesClient() {
            return new KubernetesClientBuilder().build();
        }

        @Bean
        KubernetesSandboxProvider kubernetesSandboxProvider(
                KubernetesProviderProperties properties, KubernetesClient perimeterKubernetesClient) {
            return new KubernetesSandboxProvider(properties, perimeterKubernetesClient);
        }
    }

    @Bean
    @ConditionalOnBooleanProperty(name = ENABLED, havingValue = false, matchIfMissing = true)
    UnconfiguredProvider unconfiguredKubernetesProvider() {
        return new UnconfiguredProvider(KubernetesSandboxProvider.TYPE, List.of("KUBERNETES_SANDBOX_ENABLED"));
    }
}
