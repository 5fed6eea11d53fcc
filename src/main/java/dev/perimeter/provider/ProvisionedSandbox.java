package dev.perimeter.provider;

/**
 * What {@link SandboxProvider#create} made.
 *
 * @param providerRef the vendor's reference, stored and passed back on every later call
 * @param status {@link SandboxStatus#RUNNING} when it can take commands now, {@link SandboxStatus#PROVISIONING} when
 *     the vendor is still starting it
 */
public record ProvisionedSandbox(String providerRef, SandboxStatus status) {}
