/**
 * The tunnel agent: runs beside a private MCP server, dials out to Perimeter over WebSocket and forwards each relayed
 * stream to the server. Plain Java (the JDK's WebSocket and HTTP clients), no Spring, no database.
 */
@NullMarked
package dev.perimeter.tunnel.agent;

import org.jspecify.annotations.NullMarked;
