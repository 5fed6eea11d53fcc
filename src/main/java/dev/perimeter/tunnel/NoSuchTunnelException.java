package dev.perimeter.tunnel;

import dev.perimeter.shared.NotFoundException;

/** No tunnel with that id belongs to the caller's tenant. */
public class NoSuchTunnelException extends NotFoundException {

    NoSuchTunnelException(String id) {
        super("tunnel", id);
    }
}
