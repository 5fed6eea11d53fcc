package dev.perimeter.tunnel.relay;

import org.apache.coyote.CloseNowException;

/**
 * A relayed response that had already started cannot finish (the agent dropped, the stream was reset). Thrown past
 * Spring MVC to the container, which then closes the connection at once, so the caller sees a truncated response
 * instead of one that looks complete.
 */
class RelayAbortedException extends CloseNowException {

    RelayAbortedException(String reason) {
        super(reason, null);
    }
}
