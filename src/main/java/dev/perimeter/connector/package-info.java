/** Connectors that let a hosted agent platform drive Perimeter's sandboxes; see {@code connector.anthropic}. */
@NullMarked
package dev.perimeter.connector;

import org.jspecify.annotations.NullMarked;
