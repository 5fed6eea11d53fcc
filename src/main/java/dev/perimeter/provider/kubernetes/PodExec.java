package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.TtyExecErrorable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Runs one argv in a sandbox's container through the {@code pods/exec} WebSocket: stdout and stderr are written to the
 * given streams as frames arrive, and the exit code comes from the status channel. The {@code v4.channel.k8s.io}
 * protocol cannot close stdin, so input is always sent with its exact length known to the command ({@code head -c}).
 */
final class PodExec {

    /**
     * How an exec ended.
     *
     * @param exitCode the exit code from the status channel, or {@code null} when the stream ended without one
     * @param gaveUp whether Perimeter stopped waiting before the status arrived
     */
    record Outcome(@Nullable Integer exitCode, boolean gaveUp) {}

    private final KubernetesClient client;
    private final String namespace;

    PodExec(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    Outcome run(
            String pod,
            String container,
            List<String> argv,
            @Nullable InputStream stdin,
            Duration wait,
            OutputStream stdout,
            OutputStream stderr) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        PodResource resource = client.pods().inNamespace(namespace).withName(pod);
        var containerExec = resource.inContainer(container);
        TtyExecErrorable chain = stdin == null
                ? containerExec.writingOutput(stdout)
                : containerExec.redirectingInput().writingOutput(stdout);
        ExecWatch watch;
        try {
            watch = chain.writingError(stderr)
                    .usingListener(new ExecListener() {
                        @Override
                        public void onFailure(Throwable t, Response failureResponse) {
                            closed.completeExceptionally(t);
                        }

                        @Override
                        public void onClose(int code, String reason) {
                            closed.complete(null);
                        }
                    })
                    .exec(argv.toArray(String[]::new));
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map("exec in pod " + pod, e);
        }
        try (watch) {
            if (stdin != null) {
                send(stdin, watch.getInput());
            }
            Integer exitCode = watch.exitCode().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            // The status frame can overtake the last output frames' processing; the close follows them all.
            closed.get(5, TimeUnit.SECONDS);
            return new Outcome(exitCode, false);
        } catch (TimeoutException e) {
            return new Outcome(null, !watch.exitCode().isDone());
        } catch (ExecutionException e) {
            if (watch.exitCode().isDone() && !watch.exitCode().isCompletedExceptionally()) {
                return new Outcome(watch.exitCode().join(), false);
            }
            Throwable cause = e.getCause();
            if (cause instanceof KubernetesClientException k) {
                throw KubernetesErrors.map("exec in pod " + pod, k);
            }
            throw new ProviderUnavailableException(
                    KubernetesSandboxProvider.TYPE, "exec in pod " + pod + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderErrorException(KubernetesSandboxProvider.TYPE, "interrupted during exec", e);
        }
    }

    private static void send(InputStream in, @Nullable OutputStream input) {
        if (input == null) {
            return;
        }
        try (in) {
            in.transferTo(input);
            input.flush();
        } catch (IOException e) {
            // The command may exit before reading all of its input (a refused path); its status says what happened.
        }
    }
}
