package dev.perimeter.tunnel;

/** Whether a tunnel can carry calls, as the database sees it. */
public enum TunnelStatus {
    /** At least one agent connection is live. */
    CONNECTED,
    /** No agent connection is live. */
    DISCONNECTED,
    /** An Anthropic tunnel, carried by Anthropic's edge and the tenant's stack: Perimeter does not see its connections. */
    EXTERNAL,
    /** Deleted by its tenant: refuses agents and calls. */
    ARCHIVED
}
