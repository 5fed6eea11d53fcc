package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The tunnel already relays and queues as many calls as allowed (429 {@code tunnel-busy}). */
class TunnelBusyException extends PerimeterException {

    TunnelBusyException(String what, int inFlight, int queued) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "tunnel-busy",
                "Tunnel busy",
                "The tunnel already relays " + inFlight + " " + what + " and queues " + queued + "; retry shortly");
        retryAfter(1);
    }
}
