package dev.perimeter.connector.anthropic;

import dev.perimeter.shared.ValidationFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where an environment key is kept: {@code env:NAME} (an environment variable of the Perimeter process) or {@code
 * file:/path} (a mounted secret). The reference is stored; the key is read at each use and never stored, logged or
 * put in a message.
 */
record KeyReference(String kind, String location) {

    private static final Pattern ENV = Pattern.compile("env:([A-Za-z_][A-Za-z0-9_]{0,127})");
    private static final Pattern FILE = Pattern.compile("file:(/[\\x21-\\x7e]{1,4090})");
    private static final long MAX_KEY_FILE = 4096;

    /** Parses a reference; anything else is refused without echoing it, since it may be the key itself. */
    static KeyReference parse(String reference) {
        var env = ENV.matcher(reference);
        if (env.matches()) {
            return new KeyReference("env", env.group(1));
        }
        var file = FILE.matcher(reference);
        if (file.matches()
                && !Path.of(file.group(1)).normalize().toString().equals("/")
                && !file.group(1).contains("/../")
                && !file.group(1).endsWith("/..")) {
            return new KeyReference("file", file.group(1));
        }
        throw new ValidationFailedException(
                "environmentKeyRef", "must be env:NAME or file:/absolute/path; the key itself is never accepted here");
    }

    /** The reference in its stored form. */
    String text() {
        return kind + ":" + location;
    }

    /**
     * Reads the key.
     *
     * @param environment the process environment, as {@code System::getenv}
     * @throws UnresolvableKeyException when the variable is unset or the file cannot be read; the message names the
     *     reference, never the key
     */
    String resolve(Function<String, @Nullable String> environment) {
        String key = kind.equals("env") ? environment.apply(location) : readFile();
        if (key == null || key.isBlank()) {
            throw new UnresolvableKeyException(text() + " holds no environment key");
        }
        return key.strip();
    }

    private String readFile() {
        Path path = Path.of(location);
        try {
            if (!Files.isRegularFile(path) || Files.size(path) > MAX_KEY_FILE) {
                throw new UnresolvableKeyException(text() + " is not a readable file of at most 4 KiB");
            }
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnresolvableKeyException(text() + " cannot be read");
        }
    }

    /** A reference that points at nothing usable; says which reference, never what is there. */
    static final class UnresolvableKeyException extends RuntimeException {
        UnresolvableKeyException(String message) {
            super(message, null, false, false);
        }
    }
}
