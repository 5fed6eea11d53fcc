package dev.perimeter.provider.local;

import dev.perimeter.provider.InvalidSandboxPathException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Lexical checks of a caller's path: relative, no NUL, and no {@code ..} that climbs out of the workspace. */
final class WorkspacePaths {

    private static final int MAX_LENGTH = 4096;

    private WorkspacePaths() {}

    /** The names of a path to a file inside the workspace; never empty. */
    static List<String> file(String path) {
        if (path.isEmpty()) {
            throw new InvalidSandboxPathException(path, "is empty");
        }
        List<String> names = components(path);
        if (names.isEmpty()) {
            throw new InvalidSandboxPathException(path, "names the workspace itself, not a file in it");
        }
        return names;
    }

    /** The names of a relative path after removing {@code .} and resolving {@code ..}; empty for the workspace. */
    static List<String> components(String path) {
        if (path.length() > MAX_LENGTH) {
            throw new InvalidSandboxPathException(path, "is longer than " + MAX_LENGTH + " characters");
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidSandboxPathException(path, "contains a NUL character");
        }
        if (path.startsWith("/")) {
            throw new InvalidSandboxPathException(path, "is absolute; paths are relative to the workspace");
        }
        Deque<String> names = new ArrayDeque<>();
        for (String name : path.split("/")) {
            if (name.equals("..")) {
                if (names.isEmpty()) {
                    throw new InvalidSandboxPathException(path, "escapes the workspace");
                }
                names.removeLast();
            } else if (!name.isEmpty() && !name.equals(".")) {
                names.addLast(name);
            }
        }
        return List.copyOf(names);
    }
}
