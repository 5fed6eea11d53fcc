package dev.perimeter.shared;

import org.springframework.http.HttpStatus;

/**
 * A resource that does not exist, or that belongs to another tenant: both answer 404 so that ids cannot be probed.
 */
public class NotFoundException extends PerimeterException {

    public NotFoundException(String kind, String id) {
        super(HttpStatus.NOT_FOUND, "not-found", "Not found", kind + " '" + id + "' does not exist");
    }

    protected NotFoundException(String detail) {
        super(HttpStatus.NOT_FOUND, "not-found", "Not found", detail);
    }
}
