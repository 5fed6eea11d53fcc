package dev.perimeter.provider.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.util.FileSystemUtils;

/**
 * A cluster for tests: fabric8's mock API server in CRUD mode, a {@link ExecEmulator} behind its exec WebSocket, and a
 * minimal kubelet that marks every new Pod Running and Ready, as a node would once the image is pulled.
 */
public final class FakeCluster implements AutoCloseable {

    public static final String NAMESPACE = "sandboxes";

    private static final String MASTER = "kubernetes.master";
    private static final String TRY_KUBECONFIG = "kubernetes.auth.tryKubeConfig";
    private static final String TRY_SERVICE_ACCOUNT = "kubernetes.auth.tryServiceAccount";
    private static final String RETRY_BACKOFF_LIMIT = "kubernetes.request.retry.backoffLimit";

    private final Path root;
    private final KubernetesMockServer server;
    private final ExecEmulator exec;
    private final KubernetesClient client;
    private final ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fake-kubelet");
        thread.setDaemon(true);
        return thread;
    });

    public FakeCluster() {
        try {
            root = Files.createTempDirectory("fake-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        exec = new ExecEmulator(new KubernetesMixedDispatcher(responses), root);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, exec, false);
        server.init();
        client = server.createClient();
        kubelet.scheduleWithFixedDelay(this::startPods, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** A client of the fake's API server, for the provider and for the tests' own looks. */
    public KubernetesClient client() {
        return client;
    }

    public KubernetesMockServer server() {
        return server;
    }

    ExecEmulator exec() {
        return exec;
    }

    /** Where a test may keep snapshots. */
    public Path snapshotDir() {
        return root.resolve("snapshots");
    }

    private void startPods() {
        try {
            for (Pod pod : client.pods().inNamespace(NAMESPACE).list().getItems()) {
                if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
                    pod.setStatus(new PodStatusBuilder()
                            .withPhase("Running")
                            .withConditions(new PodConditionBuilder()
                                    .withType("Ready")
                                    .withStatus("True")
                                    .build())
                            .build());
                    client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
                }
            }
        } catch (KubernetesClientException e) {
            // a pod deleted or changed meanwhile; the next round sees it again
        }
    }

    /** The API server's URL, for fabric8's own configuration ({@code kubernetes.master}). */
    public String url() {
        return "http://localhost:" + server.getPort();
    }

    /**
     * Makes this cluster the one a fabric8 client built from its defaults talks to, as the application's own client is
     * in an API test: no kubeconfig, no service account, no retries.
     */
    public void becomeTheDefaultCluster() {
        System.setProperty(MASTER, url());
        System.setProperty(TRY_KUBECONFIG, "false");
        System.setProperty(TRY_SERVICE_ACCOUNT, "false");
        System.setProperty(RETRY_BACKOFF_LIMIT, "0");
    }

    /** Stops the cluster, and if it was the default one, forgets it. */
    @Override
    public void close() {
        if (url().equals(System.getProperty(MASTER))) {
            List.of(MASTER, TRY_KUBECONFIG, TRY_SERVICE_ACCOUNT, RETRY_BACKOFF_LIMIT)
                    .forEach(System::clearProperty);
        }
        kubelet.shutdownNow();
        client.close();
        server.destroy();
        FileSystemUtils.deleteRecursively(root.toFile());
    }
}
