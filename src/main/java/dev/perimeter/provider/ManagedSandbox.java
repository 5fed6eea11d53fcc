package dev.perimeter.provider;

/**
 * A sandbox the vendor holds that carries a Perimeter sandbox id (as its name or a label), as listed for the orphan
 * reconciler.
 *
 * @param sandboxId the Perimeter sandbox id the vendor's resource carries
 * @param providerRef the vendor's reference, to pass to {@link SandboxProvider#destroy}
 */
public record ManagedSandbox(String sandboxId, String providerRef) {}
