package dev.perimeter.provider;

/** A provider's view of one sandbox. */
public enum SandboxStatus {
    PROVISIONING,
    RUNNING,
    STOPPED,
    FAILED,
    /** The provider does not know the reference: never created, or already gone. */
    UNKNOWN
}
