/**
 * Anthropic's MCP tunnels, managed through the official SDK's beta tunnels service: create, certificates, token reveal
 * and archive. The tunnel registry records them beside Perimeter's own tunnels.
 */
@NullMarked
package dev.perimeter.tunnel.anthropic;

import org.jspecify.annotations.NullMarked;
