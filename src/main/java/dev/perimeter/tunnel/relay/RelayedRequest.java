package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tunnel.TunnelHeads;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The head of an orchestrator's call as it crosses the tunnel: method, query and the allowed headers only. A header
 * value with a control character is refused, as Spring Security's firewall refuses it on every other endpoint.
 */
final class RelayedRequest {

    private RelayedRequest() {}

    /**
     * @param forwardAuthorization whether {@code Authorization} is the private server's (the caller authenticated to
     *     Perimeter with {@code X-Perimeter-Key}); a Perimeter key in it never leaves Perimeter
     * @throws ValidationFailedException if a header bound for the private server holds a control character
     */
    static TunnelHeads.Request of(HttpServletRequest request, boolean forwardAuthorization) {
        List<TunnelHeads.Header> headers = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            if (!TunnelHeads.forwardsRequestHeader(name)
                    || (!forwardAuthorization && name.equalsIgnoreCase("authorization"))) {
                continue;
            }
            for (String value : Collections.list(request.getHeaders(name))) {
                if (value.chars().anyMatch(Character::isISOControl)) {
                    throw new ValidationFailedException("header " + name, "must not hold control characters");
                }
                headers.add(new TunnelHeads.Header(name, value));
            }
        }
        String query = request.getQueryString();
        return new TunnelHeads.Request(
                request.getMethod(), query == null ? "" : "?" + query, CorrelationId.current(), headers);
    }
}
