/** HTTP endpoints of the sandbox module: the lifecycle, exec (JSON and SSE), files and snapshots. */
@NullMarked
package dev.perimeter.sandbox.web;

import org.jspecify.annotations.NullMarked;
