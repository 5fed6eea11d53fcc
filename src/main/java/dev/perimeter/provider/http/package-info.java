/**
 * HTTP to vendors' APIs for the remote providers: timeouts, retries with backoff and jitter for idempotent calls
 * (honouring {@code Retry-After}), a circuit breaker per provider, and vendor failures mapped to {@code
 * provider-unavailable} (503) or {@code provider-error} (502) with the vendor's message and never a credential.
 */
@NullMarked
package dev.perimeter.provider.http;

import org.jspecify.annotations.NullMarked;
