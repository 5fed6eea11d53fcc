package dev.perimeter.provider.cloudflare;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sandboxes on Cloudflare Containers through the sandbox bridge Worker.
 *
 * <ul>
 *   <li><b>Names.</b> The bridge lets the caller name a sandbox ({@code /v1/sandbox/:id/*} with any {@code
 *       [a-z2-7]{1,128}}), so the name is derived from our sandbox id and a repeated create reaches the same container.
 *       {@code POST /v1/sandbox} only mints a random name and is not used.
 *   <li><b>Ledger.</b> The bridge cannot list sandboxes, and any call on an unknown name starts a fresh container, so
 *       the names asked for are recorded (before the first bridge call) in a {@link BridgeLedger}: status of a name it
 *       does not hold is {@code UNKNOWN} without asking the bridge, and the reconciler lists from it.
 *   <li><b>Environment.</b> The bridge's exec has no environment nor standard input; the sandbox's variables are kept in
 *       {@code /workspace/.perimeter/env} (left out of snapshots) and a wrapper script does the rest ({@link
 *       ExecScript}).
 *   <li><b>Replaced containers.</b> The bridge binds a fresh, empty container to a name whose container slept or
 *       stopped. A marker file written last at create tells them apart: without it the sandbox is {@code UNKNOWN}
 *       (what Perimeter made is gone) and commands are refused with exit status {@value ExecScript#REPLACED}.
 *   <li><b>Snapshots.</b> {@code persist} hands back a tar of {@code /workspace}, which Perimeter keeps in its {@link
 *       ArchiveStore} until deleted: {@link SnapshotPersistence#PERSISTENT} in Perimeter, nothing kept at Cloudflare.
 * </ul>
 */
final class CloudflareSandboxProvider implements SandboxProvider {

    static final String TYPE = "cloudflare";

    /** Cloudflare picks the location; Perimeter cannot pin one through the bridge. */
    static final String REGION = "auto";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BridgeClient bridge;
    private final BridgeLedger ledger;
    private final ArchiveStore archives;
    private final Duration execGrace;
    private final ProviderCapabilities capabilities;

    CloudflareSandboxProvider(
            BridgeClient bridge, BridgeLedger ledger, ArchiveStore archives, Duration execGrace, EgressMode egress) {
        this.bridge = bridge;
        this.ledger = ledger;
        this.archives = archives;
        this.execGrace = execGrace;
        this.capabilities = new ProviderCapabilities(
                true, SnapshotPersistence.PERSISTENT, Set.of(egress), false, false, Set.of(REGION), null, true);
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
        String id = BridgeIds.of(spec.sandboxId());
        byte[] environment = ExecScript.exports(spec.env()).getBytes(StandardCharsets.UTF_8);
        byte[] archive = spec.fromSnapshotRef() == null ? null : archive(spec.fromSnapshotRef());
        ledger.record(id, spec.sandboxId());
        bridge.writeFile(id, ExecScript.ENV_FILE, environment, true);
        if (archive != null) {
            bridge.hydrate(id, archive);
        }
        bridge.writeFile(id, ExecScript.MARKER, spec.sandboxId().getBytes(StandardCharsets.UTF_8), false);
        return new ProvisionedSandbox(id, SandboxStatus.RUNNING);
    }

    @Override
    public SandboxStatus status(String providerRef) {
        String id = BridgeIds.fromRef(providerRef);
        if (!ledger.contains(id)) {
            return SandboxStatus.UNKNOWN;
        }
        if (!bridge.running(id)) {
            return SandboxStatus.STOPPED;
        }
        // A container that slept is replaced by a fresh one under the same name, which /running reports as running.
        return bridge.readFile(id, ExecScript.MARKER, 1024).isPresent() ? SandboxStatus.RUNNING : SandboxStatus.UNKNOWN;
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        List<String> argv = ExecScript.argv(spec);
        String cwd = BridgePaths.cwd(spec.cwd());
        String id = known(providerRef);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("argv", argv);
        body.put("timeout_ms", spec.timeout().plus(execGrace).toMillis());
        body.put("cwd", cwd);
        ExecReader reader = new ExecReader(TYPE, output, spec.maxOutputBytes(), spec.timeout(), System.nanoTime());
        return bridge.exec(id, JSON.writeValueAsBytes(body), spec.timeout(), reader);
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        BridgePaths.segments(path);
        bridge.writeFile(known(providerRef), path, content, false);
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        BridgePaths.segments(path);
        return bridge.readFile(known(providerRef), path, maxBytes);
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        byte[] tar = bridge.persist(known(providerRef), ExecScript.ENV_DIR);
        archives.put(snapshotId, tar);
        return new SnapshotResult(snapshotId, tar.length, SnapshotPersistence.PERSISTENT);
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        archives.delete(snapshotRef);
    }

    @Override
    public void destroy(String providerRef) {
        String id = BridgeIds.fromRef(providerRef);
        bridge.delete(id);
        ledger.remove(id);
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        return ledger.all().stream()
                .map(entry -> new ManagedSandbox(entry.sandboxId(), entry.bridgeId()))
                .toList();
    }

    /**
     * The bridge name of a sandbox this provider created and has not destroyed. Calling the bridge with any other name
     * would start a fresh container that nothing records.
     */
    private String known(String providerRef) {
        String id = BridgeIds.fromRef(providerRef);
        if (!ledger.contains(id)) {
            throw new ProviderErrorException(
                    TYPE,
                    "Sandbox '" + providerRef
                            + "' is not one the cloudflare provider holds (destroyed, or never created)",
                    null);
        }
        return id;
    }

    private byte[] archive(String snapshotRef) {
        return archives.get(snapshotRef)
                .orElseThrow(() -> new ProviderErrorException(
                        TYPE, "The archive of snapshot '" + snapshotRef + "' is no longer stored", null));
    }
}
