package dev.perimeter.provider;

/**
 * A sandbox the vendor holds that carries a Perimeter sandbox id (as its name or a label), as listed for the orphan
 * reconciler.
 *
 * @param sandboxId the Perimeter sandbox id the vendor's resource carries
 * @param providerRef the vendor's reference, to pass to {@link SandboxProvider#destroy}
 * @param lost whether the vendor still holds the resource but what ran the sandbox is gone (a Kubernetes
 *     {@code SandboxClaim} whose Pod vanished): the reconciler fails a running sandbox that is lost, as it fails one
 *     the vendor no longer lists, and destroys the remains once the row has ended
 */
public record ManagedSandbox(String sandboxId, String providerRef, boolean lost) {

    /** A sandbox the vendor holds and still runs. */
    public ManagedSandbox(String sandboxId, String providerRef) {
        this(sandboxId, providerRef, false);
    }
}
