/**
 * The server side of tunnels: agents' WebSocket connections, the multiplexed streams on them, the MCP relay endpoint
 * and forwarding between replicas.
 */
@NullMarked
package dev.perimeter.tunnel.relay;

import org.jspecify.annotations.NullMarked;
