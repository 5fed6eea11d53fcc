package dev.perimeter.tunnel;

/** Who carries a tunnel's traffic. */
public enum TunnelBackend {
    /** Perimeter's own relay and agent. */
    PERIMETER,
    /** Anthropic's MCP tunnels (a tunnel stack of cloudflared and mcp-proxy), managed through Anthropic's API. */
    ANTHROPIC
}
