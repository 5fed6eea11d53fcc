package dev.perimeter.web;

import dev.perimeter.shared.ValidationFailedException;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Says what is wrong with input that could not be bound, as {@code validation-failed} field errors: which field, and
 * what it must be, without echoing the value.
 */
final class InputErrors {

    private InputErrors() {}

    /** Why a JSON body could not be read or bound. */
    static ValidationFailedException unreadableBody(Throwable e) {
        InvalidFormatException invalid = causeOf(e, InvalidFormatException.class);
        if (invalid != null
                && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum()) {
            return new ValidationFailedException(fieldOf(invalid), oneOf(invalid.getTargetType()));
        }
        if (invalid != null && invalid.getTargetType() == String.class) {
            return new ValidationFailedException(fieldOf(invalid), invalid.getOriginalMessage());
        }
        if (invalid != null && isWholeNumber(invalid.getTargetType())) {
            return new ValidationFailedException(fieldOf(invalid), "must be a whole number");
        }
        MismatchedInputException mismatched = causeOf(e, MismatchedInputException.class);
        if (mismatched != null && !mismatched.getPath().isEmpty()) {
            return new ValidationFailedException(fieldOf(mismatched), "has the wrong type or shape");
        }
        DatabindException databind = causeOf(e, DatabindException.class);
        if (databind != null && !databind.getPath().isEmpty()) {
            return new ValidationFailedException(fieldOf(databind), "is not acceptable");
        }
        InputCoercionException outOfRange = causeOf(e, InputCoercionException.class);
        if (outOfRange != null) {
            return new ValidationFailedException(fieldOf(outOfRange), "is a number out of range");
        }
        StreamReadException read = causeOf(e, StreamReadException.class);
        if (read != null && String.valueOf(read.getOriginalMessage()).startsWith("Duplicate ")) {
            return new ValidationFailedException(fieldOf(read), "has the same field twice");
        }
        if (causeOf(e, JacksonException.class) != null) {
            return new ValidationFailedException("body", "is not well-formed JSON");
        }
        return new ValidationFailedException("body", "is missing or unreadable");
    }

    /** What a path variable or query parameter of this type must be. */
    static String expected(@Nullable Class<?> type) {
        if (type == null) {
            return "has the wrong type";
        }
        if (type.isEnum()) {
            return oneOf(type);
        }
        if (isWholeNumber(type)) {
            return "must be a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z";
        }
        return "has the wrong type";
    }

    private static String oneOf(Class<?> enumType) {
        return "must be one of "
                + Arrays.stream(enumType.getEnumConstants())
                        .map(String::valueOf)
                        .collect(Collectors.joining(", "));
    }

    private static boolean isWholeNumber(@Nullable Class<?> type) {
        return type == Integer.class || type == int.class || type == Long.class || type == long.class;
    }

    private static String fieldOf(JacksonException e) {
        StringBuilder path = new StringBuilder();
        e.getPath().forEach(reference -> {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        });
        return path.isEmpty() ? "body" : path.toString();
    }

    /** The first throwable of that type in the chain of causes, or {@code null}. */
    static <T extends Throwable> @Nullable T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
