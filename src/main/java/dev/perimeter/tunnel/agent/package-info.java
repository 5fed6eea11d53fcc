/**
 * The tunnel agent: runs beside a private MCP server, dials out to Perimeter over WebSocket and forwards each relayed
 * stream to the server. Netty's WebSocket and HTTP codecs on one event loop; no Spring, no database.
 */
@NullMarked
package dev.perimeter.tunnel.agent;

import org.jspecify.annotations.NullMarked;
