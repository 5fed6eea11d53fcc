package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.InvalidSandboxPathException;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.NotFoundException;
import dev.perimeter.shared.PayloadTooLargeException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Sandboxes as Pods in one namespace of the team's own cluster. A Pod is named from our sandbox id and labelled with it
 * and the tenant; a NetworkPolicy of the same name fences its network. Commands, files and snapshots travel through
 * {@code pods/exec}; snapshots are workspace tars kept by Perimeter. With {@code warm-pool} set, a create claims a
 * pre-warmed Pod from an agent-sandbox {@code SandboxWarmPool} instead ({@link WarmPoolClaims}); a reference is then a
 * claim's name, or, for Pods made before the switch, still a Pod's.
 */
final class KubernetesSandboxProvider implements SandboxProvider {

    static final String TYPE = "kubernetes";

    private final KubernetesProviderProperties properties;
    private final KubernetesClient client;
    private final PodExec execs;
    private final PodReadiness readiness;
    private final SnapshotFiles snapshots;
    private final @Nullable WarmPoolClaims claims;

    KubernetesSandboxProvider(KubernetesProviderProperties properties, KubernetesClient client) {
        this(properties, client, Clock.systemUTC());
    }

    KubernetesSandboxProvider(KubernetesProviderProperties properties, KubernetesClient client, Clock clock) {
        this.properties = properties;
        this.client = client;
        this.execs = new PodExec(client, properties.namespace());
        this.readiness = new PodReadiness(client, properties.namespace(), properties.timeouts());
        this.snapshots = new SnapshotFiles(properties.snapshotDir());
        String pool = properties.warmPoolName();
        this.claims = pool == null
                ? null
                : new WarmPoolClaims(
                        client,
                        properties.namespace(),
                        new WarmPoolCheck(client, properties.namespace(), pool),
                        readiness,
                        properties.timeouts(),
                        clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProviderCapabilities capabilities() {
        return new ProviderCapabilities(
                true,
                SnapshotPersistence.PERSISTENT,
                EnumSet.allOf(EgressMode.class),
                false,
                claims == null,
                Set.of(properties.region()),
                null,
                true);
    }

    @Override
    public ProvisionedSandbox create(SandboxSpec spec) {
        if (spec.resources().gpu() != null) {
            throw new CapabilityUnsupportedException(TYPE, "resources.gpu", "GPUs are not offered on Kubernetes");
        }
        EgressPolicies.check(spec.egress());
        if (claims != null) {
            return createClaimed(claims, spec);
        }
        String name = SandboxPods.name(spec.sandboxId());
        Pod existing = call("look up pod " + name, () -> pods().withName(name).get());
        if (existing == null) {
            call("create network policy " + name, () -> client.network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(properties.namespace())
                    .resource(EgressPolicies.policy(spec))
                    .createOr(policy -> policy.update()));
            String image = spec.image() != null ? spec.image() : properties.image();
            existing = createPod(SandboxPods.pod(spec, image, properties.runtimeClassName()));
        }
        SandboxStatus status = readiness.await(name);
        if (status == SandboxStatus.FAILED || status == SandboxStatus.UNKNOWN) {
            throw new ProviderErrorException(TYPE, "pod " + name + " did not start: " + readiness.reason(name), null);
        }
        String snapshotRef = spec.fromSnapshotRef();
        if (snapshotRef != null && !snapshotRef.equals(restoredFrom(existing))) {
            if (status != SandboxStatus.RUNNING) {
                throw new ProviderUnavailableException(
                        TYPE,
                        "pod " + name + " is not ready to restore its snapshot yet",
                        new IllegalStateException("pod not ready"));
            }
            restore(PodTarget.bare(name), snapshotRef);
            call("mark pod " + name + " restored", () -> pods().withName(name).edit(pod -> {
                pod.getMetadata().getAnnotations().put(SandboxPods.RESTORED_FROM, snapshotRef);
                return pod;
            }));
        }
        return new ProvisionedSandbox(name, status);
    }

    /** A sandbox claimed from the warm pool: bound and Ready when this returns, its snapshot restored. */
    private ProvisionedSandbox createClaimed(WarmPoolClaims claims, SandboxSpec spec) {
        String name = SandboxPods.name(spec.sandboxId());
        WarmPoolClaims.Bound bound = claims.create(spec);
        String snapshotRef = spec.fromSnapshotRef();
        if (snapshotRef != null && !snapshotRef.equals(bound.restoredFrom())) {
            restore(bound.target(), snapshotRef);
            claims.markRestored(name, snapshotRef);
        }
        return new ProvisionedSandbox(name, SandboxStatus.RUNNING);
    }

    @Override
    public SandboxStatus status(String providerRef) {
        SandboxStatus claimed = claims == null ? null : claims.status(providerRef);
        if (claimed != null) {
            return claimed;
        }
        return readiness.status(call(
                "look up pod " + providerRef, () -> pods().withName(providerRef).get()));
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        PodTarget target = target(providerRef);
        byte[] stdin = spec.stdin();
        List<String> argv = ExecScripts.command(withSandboxEnv(spec, target), stdin == null ? 0 : stdin.length);
        CappedOutput stdout = new CappedOutput(spec.maxOutputBytes(), output::stdout);
        CappedOutput stderr = new CappedOutput(spec.maxOutputBytes(), output::stderr);
        long started = System.nanoTime();
        PodExec.Outcome outcome = execs.run(
                target.pod(),
                target.container(),
                argv,
                stdin == null ? null : new ByteArrayInputStream(stdin),
                spec.timeout().plus(properties.timeouts().execGrace()),
                stdout,
                stderr);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        int exitCode = outcome.gaveUp() ? 137 : outcome.exitCode() == null ? -1 : outcome.exitCode();
        boolean timedOut = outcome.gaveUp() || (exitCode == 137 && took.compareTo(spec.timeout()) >= 0);
        return new ExecResult(
                exitCode, stdout.bytes(), stderr.bytes(), took, timedOut, stdout.truncated() || stderr.truncated());
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        String target = WorkspacePaths.resolve(path);
        int exit = transfer(
                target(providerRef),
                ExecScripts.writeFile(target, content.length),
                new ByteArrayInputStream(content),
                null);
        refuseOutside(path, exit);
        if (exit != 0) {
            throw new ProviderErrorException(TYPE, "writing " + path + " failed with exit code " + exit, null);
        }
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        String target = WorkspacePaths.resolve(path);
        CappedOutput content = new CappedOutput(maxBytes, chunk -> {});
        int exit = transfer(target(providerRef), ExecScripts.readFile(target, maxBytes), null, content);
        refuseOutside(path, exit);
        return switch (exit) {
            case 0 -> Optional.of(content.bytes());
            case ExecScripts.NO_SUCH_FILE -> Optional.empty();
            case ExecScripts.TOO_LARGE -> throw new PayloadTooLargeException(maxBytes);
            default ->
                throw new ProviderErrorException(TYPE, "reading " + path + " failed with exit code " + exit, null);
        };
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        long cap = properties.timeouts().maxSnapshotBytes();
        PodTarget target = target(providerRef);
        long size = snapshots.write(snapshotId, file -> {
            CappedOutput.Passing out = new CappedOutput.Passing(file, cap);
            int exit = transfer(target, ExecScripts.archiveWorkspace(), null, out);
            if (out.truncated()) {
                throw new ProviderErrorException(
                        TYPE, "the workspace of " + providerRef + " is larger than " + cap + " bytes", null);
            }
            if (exit != 0) {
                throw new ProviderErrorException(TYPE, "archiving the workspace failed with exit code " + exit, null);
            }
            return true;
        });
        return new SnapshotResult(snapshotId, size, SnapshotPersistence.PERSISTENT);
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        snapshots.delete(snapshotRef);
    }

    @Override
    public void destroy(String providerRef) {
        // The control plane cleans a failed create up by sandbox id; a Pod or claim is named from it.
        String name = SandboxPods.name(providerRef);
        call(
                "delete pod " + name,
                () -> pods().withName(name).withGracePeriod(0).delete());
        if (claims != null) {
            claims.destroy(name); // the claim and the NetworkPolicy of the same name
            return;
        }
        call("delete network policy " + name, () -> client.network()
                .v1()
                .networkPolicies()
                .inNamespace(properties.namespace())
                .withName(name)
                .delete());
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        if (claims != null) {
            return Stream.concat(listPods().stream(), claims.listManaged().stream())
                    .toList();
        }
        return listPods();
    }

    /** Bare Pods carrying our labels; claimed sandboxes' Pods do not. */
    private List<ManagedSandbox> listPods() {
        return call("list pods", () -> pods()
                .withLabel(SandboxPods.MANAGED_BY, SandboxPods.MANAGER)
                .withLabel(SandboxPods.SANDBOX_ID)
                .list()
                .getItems()
                .stream()
                .map(pod -> new ManagedSandbox(
                        pod.getMetadata().getLabels().get(SandboxPods.SANDBOX_ID),
                        pod.getMetadata().getName()))
                .toList());
    }

    private Pod createPod(Pod pod) {
        try {
            return pods().resource(pod).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return call(
                        "look up pod",
                        () -> pods().withName(pod.getMetadata().getName()).get());
            }
            throw KubernetesErrors.map("create pod " + pod.getMetadata().getName(), e);
        }
    }

    private void restore(PodTarget target, String snapshotRef) {
        Path tar = snapshots.find(snapshotRef).orElseThrow(() -> new NotFoundException("snapshot", snapshotRef));
        int exit;
        try (InputStream in = Files.newInputStream(tar)) {
            exit = transfer(target, ExecScripts.restoreWorkspace(Files.size(tar)), in, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (exit != 0) {
            throw new ProviderErrorException(TYPE, "restoring snapshot " + snapshotRef + " failed", null);
        }
    }

    /** The Pod a reference runs in: a claim's bound Pod, else the bare Pod of that name. */
    private PodTarget target(String providerRef) {
        WarmPoolClaims.Bound bound = claims == null ? null : claims.target(providerRef);
        return bound != null ? bound.target() : PodTarget.bare(providerRef);
    }

    /** The command with the sandbox's environment under its own, for a Pod whose env Perimeter could not set. */
    private static ExecSpec withSandboxEnv(ExecSpec spec, PodTarget target) {
        if (target.env().isEmpty()) {
            return spec;
        }
        Map<String, String> env = new HashMap<>(target.env());
        env.putAll(spec.env());
        return new ExecSpec(spec.command(), spec.cwd(), env, spec.timeout(), spec.stdin(), spec.maxOutputBytes());
    }

    private static String restoredFrom(Pod pod) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? "" : annotations.getOrDefault(SandboxPods.RESTORED_FROM, "");
    }

    private int transfer(
            PodTarget target, List<String> argv, @Nullable InputStream stdin, @Nullable OutputStream stdout) {
        String pod = target.pod();
        CappedOutput stderr = new CappedOutput(4096, chunk -> {});
        PodExec.Outcome outcome = execs.run(
                pod,
                target.container(),
                argv,
                stdin,
                properties.timeouts().transfer(),
                stdout == null ? OutputStream.nullOutputStream() : stdout,
                stderr);
        if (outcome.gaveUp()) {
            throw new ProviderUnavailableException(
                    TYPE,
                    "a transfer with pod " + pod + " took longer than "
                            + properties.timeouts().transfer(),
                    new IllegalStateException("transfer timed out"));
        }
        if (outcome.exitCode() == null) {
            throw new ProviderUnavailableException(
                    TYPE,
                    "the exec stream to pod " + pod + " ended without an exit status",
                    new IllegalStateException("no exec status"));
        }
        return outcome.exitCode();
    }

    private static void refuseOutside(String path, int exit) {
        if (exit == ExecScripts.OUTSIDE_WORKSPACE) {
            throw new InvalidSandboxPathException(path, "resolves outside the workspace");
        }
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    Pod, io.fabric8.kubernetes.api.model.PodList, io.fabric8.kubernetes.client.dsl.PodResource>
            pods() {
        return client.pods().inNamespace(properties.namespace());
    }

    private static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map(action, e);
        }
    }
}
