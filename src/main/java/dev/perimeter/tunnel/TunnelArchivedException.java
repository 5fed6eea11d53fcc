package dev.perimeter.tunnel;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** The tunnel was deleted: it carries no more calls and accepts no agents (410 {@code tunnel-archived}). */
public class TunnelArchivedException extends PerimeterException {

    TunnelArchivedException(String id) {
        super(HttpStatus.GONE, "tunnel-archived", "Tunnel archived", "Tunnel '" + id + "' is archived");
    }
}
