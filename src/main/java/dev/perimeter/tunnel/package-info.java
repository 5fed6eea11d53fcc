/**
 * MCP tunnels: a private MCP server reached through an agent that dials out to Perimeter. The registry
 * ({@link dev.perimeter.tunnel.TunnelManagement}) keeps tunnels, their hashed tokens and their live connections in
 * Postgres; {@code tunnel.relay} carries orchestrators' MCP calls over the agents' WebSocket connections;
 * {@code tunnel.agent} is the agent itself, started with {@code java -jar perimeter.jar tunnel-agent}.
 */
@NullMarked
package dev.perimeter.tunnel;

import org.jspecify.annotations.NullMarked;
