package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** No agent of the tunnel can take the call right now (503 {@code tunnel-unavailable}); retry shortly. */
class TunnelUnavailableException extends PerimeterException {

    TunnelUnavailableException(String detail) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "tunnel-unavailable", "Tunnel unavailable", detail);
        retryAfter(1);
    }
}
