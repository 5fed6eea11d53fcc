package dev.perimeter.provider.http;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One call to a vendor.
 *
 * @param method the HTTP method
 * @param uri the full URI
 * @param headers headers besides the credentials {@link VendorHttp} adds
 * @param body the body, or {@code null} for none
 * @param idempotent whether the call may be repeated after a transient failure: {@code GET}, {@code DELETE}, and a
 *     create that names the resource with our id
 * @param accepted non-2xx statuses the caller handles itself (typically 404), instead of a {@code provider-error}
 * @param timeout how long to wait for the response headers, or {@code null} for the client's default
 */
public record VendorRequest(
        String method,
        URI uri,
        Map<String, String> headers,
        byte @Nullable [] body,
        boolean idempotent,
        Set<Integer> accepted,
        @Nullable Duration timeout) {

    public VendorRequest {
        headers = Map.copyOf(headers);
        accepted = Set.copyOf(accepted);
    }

    /** A {@code GET}: idempotent. */
    public static VendorRequest get(URI uri) {
        return new VendorRequest("GET", uri, Map.of(), null, true, Set.of(), null);
    }

    /** A {@code DELETE}: idempotent. */
    public static VendorRequest delete(URI uri) {
        return new VendorRequest("DELETE", uri, Map.of(), null, true, Set.of(), null);
    }

    /** A {@code POST} of JSON; not retried unless {@link #retryable()} says so. */
    public static VendorRequest postJson(URI uri, byte[] json) {
        return new VendorRequest("POST", uri, Map.of("Content-Type", "application/json"), json, false, Set.of(), null);
    }

    /** A request with a body of that content type; not retried unless {@link #retryable()} says so. */
    public static VendorRequest withBody(String method, URI uri, String contentType, byte[] body) {
        return new VendorRequest(method, uri, Map.of("Content-Type", contentType), body, false, Set.of(), null);
    }

    /** This request, marked safe to repeat. */
    public VendorRequest retryable() {
        return new VendorRequest(method, uri, headers, body, true, accepted, timeout);
    }

    /** This request, with those statuses handed back to the caller. */
    public VendorRequest accepting(Integer... statuses) {
        return new VendorRequest(method, uri, headers, body, idempotent, Set.of(statuses), timeout);
    }

    /** This request, with one more header. */
    public VendorRequest header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new VendorRequest(method, uri, more, body, idempotent, accepted, timeout);
    }

    /** This request, waiting at most {@code timeout} for the response headers. */
    public VendorRequest timeout(Duration timeout) {
        return new VendorRequest(method, uri, headers, body, idempotent, accepted, timeout);
    }
}
