package dev.perimeter.provider;

import dev.perimeter.shared.ValidationFailedException;

/** A file path that is absolute, escapes the workspace with {@code ..}, or resolves outside it through a link. */
public class InvalidSandboxPathException extends ValidationFailedException {

    public InvalidSandboxPathException(String path, String why) {
        super("path", "'" + abbreviate(path) + "' " + why);
    }

    private static String abbreviate(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }
}
