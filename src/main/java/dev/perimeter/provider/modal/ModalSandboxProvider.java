package dev.perimeter.provider.modal;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.provider.modal.api.GenericResult;
import dev.perimeter.provider.modal.api.ModalClientGrpc;
import dev.perimeter.provider.modal.api.SandboxInfo;
import dev.perimeter.provider.modal.api.SandboxTag;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes on Modal. The provider reference is Modal's sandbox id; the sandbox is named with our sandbox id and
 * tagged with it, so a repeated create finds the first and the reconciler finds orphans by tag. Snapshots are Modal
 * filesystem images ({@code SandboxSnapshotFs}): persistent and billed until deleted.
 */
final class ModalSandboxProvider implements SandboxProvider, AutoCloseable {

    static final String TYPE = "modal";
    static final String MANAGED_TAG = "perimeter-managed";
    static final String SANDBOX_TAG = "perimeter-sandbox-id";
    static final String TENANT_TAG = "perimeter-tenant-id";
    static final String CORRELATION_TAG = "perimeter-correlation-id";

    private static final Logger log = LoggerFactory.getLogger(ModalSandboxProvider.class);

    private final ModalControlPlane control;
    private final ModalExec exec;
    private final ModalFiles files;
    private final SandboxDefinitions definitions;
    private final String defaultImage;
    private final ProviderCapabilities capabilities;
    private final AutoCloseable channel;

    ModalSandboxProvider(
            ModalControlPlane control,
            ModalExec exec,
            SandboxDefinitions definitions,
            String defaultImage,
            ProviderCapabilities capabilities,
            AutoCloseable channel) {
        this.control = control;
        this.exec = exec;
        this.files = new ModalFiles(exec);
        this.definitions = definitions;
        this.defaultImage = defaultImage;
        this.capabilities = capabilities;
        this.channel = channel;
    }

    /** Opens the control-plane channel and wires the provider; the tokens must be set. */
    static ModalSandboxProvider connect(ModalProviderProperties properties, ModalChannels channels) {
        String tokenId = java.util.Objects.requireNonNull(properties.tokenId(), "MODAL_TOKEN_ID");
        String tokenSecret = java.util.Objects.requireNonNull(properties.tokenSecret(), "MODAL_TOKEN_SECRET");
        ModalRpc rpc = new ModalRpc(
                new ModalRpc.Settings(
                        properties.requestTimeout(),
                        properties.maxAttempts(),
                        properties.initialBackoff(),
                        properties.maxRetryAfter(),
                        20,
                        java.time.Duration.ofSeconds(30)),
                List.of(tokenId, tokenSecret));
        ModalAuth auth = new ModalAuth(tokenId, tokenSecret, java.time.Clock.systemUTC());
        io.grpc.ManagedChannel channel = channels.open(properties.serverUrl());
        ModalClientGrpc.ModalClientBlockingStub stub =
                ModalClientGrpc.newBlockingStub(io.grpc.ClientInterceptors.intercept(channel, auth));
        auth.fetchTokensWith(rpc, stub);
        ModalControlPlane control = new ModalControlPlane(rpc, stub, properties.appName(), properties.environment());
        return new ModalSandboxProvider(
                control,
                new ModalExec(rpc, control, channels),
                new SandboxDefinitions(properties.timeout(), properties.gpu()),
                properties.image(),
                capabilities(properties),
                channel::shutdownNow);
    }

    /** What Modal can honour, given the configured regions and lifetime ceiling. */
    static ProviderCapabilities capabilities(ModalProviderProperties properties) {
        List<String> regions = properties.regionList();
        return new ProviderCapabilities(
                true,
                SnapshotPersistence.PERSISTENT,
                Set.of(EgressMode.DENY_ALL, EgressMode.ALLOW_ALL, EgressMode.ALLOWLIST),
                true,
                true,
                regions.isEmpty() ? Set.of(SandboxDefinitions.ANY_REGION) : Set.copyOf(regions),
                properties.timeout(),
                true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProviderCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public ProvisionedSandbox create(SandboxSpec spec) {
        String app = control.appId();
        String image = spec.fromSnapshotRef() != null
                ? spec.fromSnapshotRef()
                : control.imageId(List.of(
                        "FROM " + (spec.image() != null ? spec.image() : defaultImage),
                        "RUN mkdir -p " + SandboxDefinitions.WORKDIR));
        List<String> secrets = spec.env().isEmpty() ? List.of() : List.of(control.secretId(spec.env()));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(MANAGED_TAG, "true");
        tags.put(SANDBOX_TAG, spec.sandboxId());
        tags.put(TENANT_TAG, spec.tenantId());
        tags.put(CORRELATION_TAG, spec.correlationId());
        String sandboxId = control.createSandbox(app, definitions.definition(spec, image, secrets), tags)
                .orElseGet(() -> existing(app, spec.sandboxId()));
        control.taskId(sandboxId);
        log.debug("Modal sandbox {} runs Perimeter sandbox {}", sandboxId, spec.sandboxId());
        return new ProvisionedSandbox(sandboxId, SandboxStatus.RUNNING);
    }

    private String existing(String app, String ourId) {
        return control.listSandboxes(app, Map.of(SANDBOX_TAG, ourId)).stream()
                .map(SandboxInfo::getId)
                .findFirst()
                .orElseThrow(() -> new ProviderErrorException(
                        TYPE, "Modal already has a sandbox named " + ourId + " that Perimeter does not manage", null));
    }

    @Override
    public SandboxStatus status(String providerRef) {
        Optional<GenericResult> result;
        try {
            result = control.poll(providerRef);
        } catch (ProviderErrorException e) {
            if (ModalControlPlane.notFound(e)) {
                return SandboxStatus.UNKNOWN;
            }
            throw e;
        }
        if (result.isEmpty()) {
            return SandboxStatus.RUNNING;
        }
        return switch (result.get().getStatus()) {
            case GENERIC_STATUS_TERMINATED -> SandboxStatus.UNKNOWN;
            case GENERIC_STATUS_SUCCESS, GENERIC_STATUS_TIMEOUT, GENERIC_STATUS_IDLE_TIMEOUT -> SandboxStatus.STOPPED;
            default -> SandboxStatus.FAILED;
        };
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        return exec.exec(providerRef, spec, output);
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        files.write(providerRef, path, content);
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        return files.read(providerRef, path, maxBytes);
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        long size = workspaceBytes(providerRef);
        String imageId = control.snapshot(providerRef);
        log.debug("Modal image {} holds snapshot {} of sandbox {}", imageId, snapshotId, providerRef);
        return new SnapshotResult(imageId, size, SnapshotPersistence.PERSISTENT);
    }

    /** The workspace's size in bytes as {@code du} counts it: Modal reports no image size. */
    private long workspaceBytes(String providerRef) {
        ExecResult du = exec.exec(
                providerRef,
                new ExecSpec(List.of("du", "-sb", "."), null, Map.of(), java.time.Duration.ofSeconds(60), null, 4096),
                ExecOutput.DISCARD);
        String first = new String(du.stdout(), StandardCharsets.UTF_8).strip().split("\\s+")[0];
        try {
            return du.exitCode() == 0 ? Math.max(1, Long.parseLong(first)) : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        control.deleteImage(snapshotRef);
    }

    @Override
    public void destroy(String providerRef) {
        control.terminate(providerRef);
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        return control.listSandboxes(control.appId(), Map.of(MANAGED_TAG, "true")).stream()
                .flatMap(info -> info.getTagsList().stream()
                        .filter(tag -> tag.getTagName().equals(SANDBOX_TAG))
                        .map(SandboxTag::getTagValue)
                        .findFirst()
                        .map(ourId -> new ManagedSandbox(ourId, info.getId()))
                        .stream())
                .toList();
    }

    @Override
    public void close() throws Exception {
        exec.close();
        channel.close();
    }
}
