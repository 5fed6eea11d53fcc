package dev.perimeter.provider.local;

import dev.perimeter.provider.ExecSpec;
import dev.perimeter.shared.ValidationFailedException;

/** Checks an {@link ExecSpec} before anything is started. */
final class ExecSpecs {

    private ExecSpecs() {}

    static void validate(ExecSpec spec) {
        if (spec.command().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program to run");
        }
        for (String argument : spec.command()) {
            if (argument.indexOf('\0') >= 0) {
                throw new ValidationFailedException("command", "contains a NUL character");
            }
        }
        if (spec.command().getFirst().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program to run");
        }
        if (spec.cwd() != null && spec.cwd().indexOf('\0') >= 0) {
            throw new ValidationFailedException("cwd", "contains a NUL character");
        }
        if (spec.timeout().isNegative() || spec.timeout().isZero()) {
            throw new ValidationFailedException("timeout", "must be positive");
        }
        if (spec.maxOutputBytes() < 0) {
            throw new ValidationFailedException("maxOutputBytes", "must not be negative");
        }
        ExecEnvironment.validate("env", spec.env());
    }
}
