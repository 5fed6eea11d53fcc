package dev.perimeter.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.Ids;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of the API server and of the exec stream end in the right typed failure carrying the API server's message.
 * fabric8 itself retries a request that got no answer or a 5xx (here twice); a create is safe to retry because Pods
 * are named from our sandbox id and a second create answers 409, which the provider treats as found.
 */
class KubernetesProviderFaultTests {

    private static final String PODS = "/api/v1/namespaces/" + FakeCluster.NAMESPACE + "/pods";

    private FakeCluster cluster;
    private KubernetesClient client;
    private KubernetesSandboxProvider provider;

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
        useRequestTimeout(Duration.ofSeconds(15));
    }

    /** A client and provider whose calls time out after {@code timeout}; generous unless a test is about it. */
    private void useRequestTimeout(Duration timeout) {
        if (client != null) {
            client.close();
        }
        client = cluster.server().createClient(builder -> builder.editOrNewConfig()
                .withRequestTimeout((int) timeout.toMillis())
                .withRequestRetryBackoffLimit(2)
                .withRequestRetryBackoffInterval(10)
                .endConfig());
        provider = new KubernetesSandboxProvider(KubernetesTesting.properties(cluster.snapshotDir(), null), client);
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void a500IsRetriedThenUnavailableWithTheApiServersMessage() {
        cluster.server()
                .expect()
                .get()
                .withPath(PODS + "/sbx-x")
                .andReturn(500, status(500, "InternalError", "etcdserver: leader changed"))
                .always();

        assertThatThrownBy(() -> provider.status("sbx-x"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("etcdserver: leader changed");
        assertThat(cluster.exec().requests("GET", PODS + "/sbx-x")).isEqualTo(3);
    }

    @Test
    void a429IsUnavailableWithRetryAfter() {
        cluster.server()
                .expect()
                .post()
                .withPath(PODS)
                .andReturn(429, status(429, "TooManyRequests", "the server has received too many requests"))
                .always();

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(
                        ProviderUnavailableException.class,
                        e -> assertThat(e.getHeaders().getFirst("Retry-After")).isNotBlank())
                .hasMessageContaining("too many requests");
    }

    @Test
    void aStallPastTheRequestTimeoutIsUnavailable() {
        useRequestTimeout(Duration.ofSeconds(2));
        cluster.server()
                .expect()
                .get()
                .delay(3, TimeUnit.SECONDS)
                .withPath(PODS + "/sbx-slow")
                .andReturn(404, status(404, "NotFound", "not found"))
                .always();

        long started = System.nanoTime();
        assertThatThrownBy(() -> provider.status("sbx-slow")).isInstanceOf(ProviderUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
    }

    @Test
    void noServerAtAllIsUnavailable() {
        cluster.close();

        assertThatThrownBy(() -> provider.status("sbx-gone")).isInstanceOf(ProviderUnavailableException.class);
        cluster = new FakeCluster();
    }

    @Test
    void malformedJsonIsAProviderError() {
        cluster.server()
                .expect()
                .get()
                .withPath(PODS + "/sbx-garbage")
                .andReturn(200, "{\"kind\":\"Pod\",\"metadata\":{\"name\":")
                .always();

        assertThatThrownBy(() -> provider.status("sbx-garbage")).isInstanceOf(ProviderErrorException.class);
    }

    @Test
    void aRefusalIsAProviderErrorAndNotRetried() {
        cluster.server()
                .expect()
                .post()
                .withPath(PODS)
                .andReturn(
                        422,
                        status(422, "Invalid", "Pod \"sbx\" is invalid: spec.runtimeClassName: Not found: \"kata\""))
                .always();

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("spec.runtimeClassName: Not found");
        assertThat(cluster.exec().requests("POST", PODS)).isEqualTo(1);
    }

    @Test
    void anExecStreamCutBeforeItsStatusIsAnUnknownExitNotSuccess() {
        String ref = provider.create(spec()).providerRef();
        cluster.exec().cutNextExecs(1);

        ExecResult result = provider.exec(
                ref,
                new ExecSpec(List.of("echo", "hi"), null, Map.of(), Duration.ofSeconds(5), null, 1024),
                ExecOutput.DISCARD);

        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(new String(result.stdout())).isEqualTo("partial li");
        provider.destroy(ref);
    }

    @Test
    void aFileReadWhoseStreamIsCutIsUnavailable() {
        String ref = provider.create(spec()).providerRef();
        provider.writeFile(ref, "a.txt", "content".getBytes());
        cluster.exec().cutNextExecs(1);

        assertThatThrownBy(() -> provider.readFile(ref, "a.txt", 1024))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("without an exit status");
        provider.destroy(ref);
    }

    private static io.fabric8.kubernetes.api.model.Status status(int code, String reason, String message) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(message)
                .build();
    }

    private static SandboxSpec spec() {
        return new SandboxSpec(
                Ids.next("sbx"),
                "ten_faults",
                "corr",
                "cluster",
                null,
                new SandboxSpec.Resources(1, 256, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null);
    }
}
