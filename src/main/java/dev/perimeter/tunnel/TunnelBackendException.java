package dev.perimeter.tunnel;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The call does not apply to a tunnel of this backend, e.g. the relay for an Anthropic tunnel. Answers 409. */
class TunnelBackendException extends PerimeterException {

    TunnelBackendException(String tunnelId, TunnelBackend backend, String detail) {
        super(
                HttpStatus.CONFLICT,
                "conflict",
                "Not for this tunnel's backend",
                "Tunnel '" + tunnelId + "' has backend '" + backend + "'; " + detail);
        extend("backend", backend.name());
    }
}
