package dev.perimeter.provider;

/** How much of the network a sandbox may reach. */
public enum EgressMode {
    /** No network at all; the default. */
    DENY_ALL,
    /** The whole network. */
    ALLOW_ALL,
    /** Only the listed hosts and CIDRs. */
    ALLOWLIST
}
