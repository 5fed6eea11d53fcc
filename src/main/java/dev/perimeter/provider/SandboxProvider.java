package dev.perimeter.provider;

import java.util.List;
import java.util.Optional;

/**
 * The one interface every place that runs sandboxes implements: the local host, Kubernetes, Daytona, Vercel,
 * Cloudflare, Modal.
 *
 * <p>The contract, after Spring Cloud Deployer's {@code AppDeployer}:
 *
 * <ul>
 *   <li><b>Stateless.</b> Postgres keeps every sandbox's state; a provider keeps none of its own beyond what the
 *       vendor holds. Any replica can call any method for any sandbox.
 *   <li><b>Named by our id.</b> {@link #create} names or labels the vendor's resource with {@link
 *       SandboxSpec#sandboxId()}, so a retried create finds what an earlier attempt made and a reconciler can find
 *       orphans. Calling {@code create} twice with the same id must not provision twice.
 *   <li><b>Unknown is a state.</b> {@link #status} answers {@link SandboxStatus#UNKNOWN} for a reference the vendor
 *       does not know; {@link #destroy} of an unknown or already destroyed sandbox returns normally.
 *   <li><b>Capabilities are flags.</b> What a provider cannot do is said by {@link #capabilities()}; callers check
 *       before calling, no method throws {@code UnsupportedOperationException}.
 *   <li><b>Failures are typed.</b> A transient vendor failure throws {@link ProviderUnavailableException}, a
 *       permanent one {@link ProviderErrorException}; a bad path {@link InvalidSandboxPathException}.
 *   <li><b>Blocking.</b> Methods block until the vendor has answered; they are called outside any transaction.
 * </ul>
 */
public interface SandboxProvider {

    /** The provider's stable name, as used in configuration and the API ({@code local}, {@code daytona}, …). */
    String type();

    /** What this provider can and cannot honour. */
    ProviderCapabilities capabilities();

    /**
     * Provisions a sandbox, or finds the one an earlier call made for the same {@link SandboxSpec#sandboxId()}.
     *
     * @return the vendor's reference and whether the sandbox is already running
     */
    ProvisionedSandbox create(SandboxSpec spec);

    /** The vendor's view of a sandbox; {@link SandboxStatus#UNKNOWN} when it does not know the reference. */
    SandboxStatus status(String providerRef);

    /**
     * Runs one command to completion (or to its timeout, when the whole process tree is killed), passing output to
     * {@code output} as it arrives.
     */
    ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output);

    /** Writes {@code content} to {@code path}, relative to the workspace, creating parent directories. */
    void writeFile(String providerRef, String path, byte[] content);

    /** The content of {@code path}, relative to the workspace; empty when there is no such file. */
    Optional<byte[]> readFile(String providerRef, String path, long maxBytes);

    /**
     * Captures the sandbox's workspace. Only called when {@link ProviderCapabilities#snapshots()} is set.
     *
     * @param snapshotId our id for the snapshot, used to name the vendor's artefact
     */
    SnapshotResult snapshot(String providerRef, String snapshotId);

    /** Deletes a snapshot's artefact; deleting one that is already gone returns normally. */
    void deleteSnapshot(String snapshotRef);

    /** Destroys the sandbox and everything in it; destroying an unknown or destroyed sandbox returns normally. */
    void destroy(String providerRef);

    /**
     * Every sandbox the vendor holds that carries a Perimeter sandbox id (by name or label), for the reconciler that
     * destroys what has no live row in Postgres.
     */
    List<ManagedSandbox> listManaged();
}
