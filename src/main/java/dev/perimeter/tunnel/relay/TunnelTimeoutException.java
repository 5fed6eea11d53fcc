package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.PerimeterException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** The private MCP server did not answer within the call's deadline (504 {@code tunnel-timeout}). */
class TunnelTimeoutException extends PerimeterException {

    TunnelTimeoutException(Duration deadline) {
        super(
                HttpStatus.GATEWAY_TIMEOUT,
                "tunnel-timeout",
                "Tunnel timeout",
                "The private MCP server did not answer within " + deadline);
    }
}
