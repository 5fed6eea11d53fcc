package dev.perimeter.sandbox.web;

import dev.perimeter.sandbox.ExecCommand;
import dev.perimeter.shared.NulAllowed;
import dev.perimeter.shared.ValidationFailedException;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /v1/sandboxes/{id}/exec}. {@code stdin} is UTF-8 text; {@code stdinBase64} carries bytes that
 * are not.
 */
record ExecRequest(
        @NotEmpty @Size(max = 4096) @Nullable List<@NotNull @Size(max = 131_072) String> command,
        @Size(min = 1, max = 4096) @Nullable String cwd,
        @Size(max = EnvironmentVariables.MAX_COUNT) @Nullable
                Map<
                                @Pattern(
                                        regexp = EnvironmentVariables.NAME,
                                        message = EnvironmentVariables.NAME_MESSAGE)
                                String,
                                @NotNull @Size(max = EnvironmentVariables.MAX_VALUE_LENGTH) String>
                        env,
        @Nullable Duration timeout,
        @NulAllowed @Nullable String stdin,
        @Nullable String stdinBase64) {

    ExecCommand toCommand() {
        List<String> argv = command == null ? List.of() : command;
        if (argv.isEmpty() || argv.getFirst().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program as its first element");
        }
        if (argv.stream().anyMatch(argument -> argument.indexOf('\0') >= 0)) {
            throw new ValidationFailedException("command", "must not contain NUL characters");
        }
        if (stdin != null && stdinBase64 != null) {
            throw new ValidationFailedException("stdin", "give stdin or stdinBase64, not both");
        }
        return new ExecCommand(argv, cwd, env == null ? Map.of() : env, timeout, stdinBytes());
    }

    private byte @Nullable [] stdinBytes() {
        if (stdin != null) {
            return stdin.getBytes(StandardCharsets.UTF_8);
        }
        if (stdinBase64 != null) {
            try {
                return Base64.getDecoder().decode(stdinBase64);
            } catch (IllegalArgumentException e) {
                throw new ValidationFailedException("stdinBase64", "is not valid base64");
            }
        }
        return null;
    }
}
