/**
 * The {@code cloudflare} provider: sandboxes run as Cloudflare Containers behind the sandbox bridge, the reference
 * Worker Cloudflare publishes so that callers outside Workers can drive the Sandbox SDK over HTTP. Exec output arrives
 * as server-sent events with base64 chunks; the bridge cannot list its sandboxes nor keep an archive, so this provider
 * records in Postgres which bridge sandboxes it asked for and the tar archives of its snapshots.
 */
@NullMarked
package dev.perimeter.provider.cloudflare;

import org.jspecify.annotations.NullMarked;
