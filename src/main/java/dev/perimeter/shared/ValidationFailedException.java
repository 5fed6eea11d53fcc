package dev.perimeter.shared;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A request whose content is well-formed but not acceptable; lists each offending field. */
public class ValidationFailedException extends PerimeterException {

    /** One offending field and what is wrong with it. */
    public record FieldError(String field, String message) {}

    public ValidationFailedException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public ValidationFailedException(List<FieldError> errors) {
        super(HttpStatus.BAD_REQUEST, "validation-failed", "Validation failed", summary(errors));
        extend(
                "errors",
                errors.stream()
                        .map(e -> Map.of("field", e.field(), "message", e.message()))
                        .toList());
    }

    private static String summary(List<FieldError> errors) {
        return errors.isEmpty()
                ? "The request is not valid"
                : errors.getFirst().field() + ": " + errors.getFirst().message();
    }
}
