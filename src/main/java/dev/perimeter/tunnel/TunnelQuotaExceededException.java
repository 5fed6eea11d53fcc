package dev.perimeter.tunnel;

import dev.perimeter.shared.PerimeterException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** A register would take the tenant past its {@code maxTunnels}; archive one first. */
public class TunnelQuotaExceededException extends PerimeterException {

    TunnelQuotaExceededException(int limit, long current, Duration retryAfter) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "quota-exceeded",
                "Quota exceeded",
                "The tenant already has " + current + " of its " + limit + " tunnels; archive one first");
        extend("scope", "TENANT");
        extend("resource", "tunnels");
        extend("limit", limit);
        extend("current", current);
        retryAfter(Math.max(1, retryAfter.toSeconds()));
    }
}
