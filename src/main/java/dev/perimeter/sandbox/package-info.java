/**
 * Sandboxes, their commands, files and snapshots: the lifecycle state machine, idempotent create and the reaper that
 * enforces {@code expiresAt}.
 */
@NullMarked
package dev.perimeter.sandbox;

import org.jspecify.annotations.NullMarked;
