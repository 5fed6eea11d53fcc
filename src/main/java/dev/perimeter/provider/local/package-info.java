/**
 * The {@code local} provider: one workspace directory per sandbox under the data directory, every command run in a
 * fresh bubblewrap sandbox over it, snapshots as tarballs beside it.
 */
@NullMarked
package dev.perimeter.provider.local;

import org.jspecify.annotations.NullMarked;
