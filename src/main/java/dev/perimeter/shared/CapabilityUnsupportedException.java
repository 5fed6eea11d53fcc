package dev.perimeter.shared;

import org.springframework.http.HttpStatus;

/** The chosen provider cannot honour a field of the request, e.g. an egress allowlist or a GPU. */
public class CapabilityUnsupportedException extends PerimeterException {

    public CapabilityUnsupportedException(String provider, String field, String detail) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "capability-unsupported", "Capability unsupported", detail);
        extend("provider", provider);
        extend("field", field);
    }
}
