package dev.perimeter.tunnel.relay;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Lets an aborted relay reach the container instead of becoming a problem body appended to a started response. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class RelayAbortHandler {

    @ExceptionHandler(RelayAbortedException.class)
    void rethrow(RelayAbortedException e) throws RelayAbortedException {
        throw e;
    }
}
