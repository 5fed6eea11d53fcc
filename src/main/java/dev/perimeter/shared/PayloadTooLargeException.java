package dev.perimeter.shared;

import org.springframework.http.HttpStatus;

/** A request body larger than the endpoint accepts. */
public class PayloadTooLargeException extends PerimeterException {

    public PayloadTooLargeException(long limitBytes) {
        super(
                HttpStatus.CONTENT_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                "The request body exceeds the limit of " + limitBytes + " bytes");
        extend("limitBytes", limitBytes);
    }
}
