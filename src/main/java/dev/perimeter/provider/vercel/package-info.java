/**
 * The {@code vercel} provider: Vercel Sandbox over its REST API as Vercel's own SDK speaks it — named sandboxes
 * ({@code POST /v3/sandboxes}) whose current session runs commands (NDJSON), takes files (gzipped tar) and snapshots.
 * The provider reference is the sandbox name, which is Perimeter's sandbox id; every call resolves the name's current
 * session first.
 */
@NullMarked
package dev.perimeter.provider.vercel;

import org.jspecify.annotations.NullMarked;
