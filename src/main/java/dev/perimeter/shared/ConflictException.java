package dev.perimeter.shared;

import org.springframework.http.HttpStatus;

/** The request conflicts with the current state of a resource, e.g. a duplicate id. */
public class ConflictException extends PerimeterException {

    public ConflictException(String detail) {
        super(HttpStatus.CONFLICT, "conflict", "Conflict", detail);
    }
}
