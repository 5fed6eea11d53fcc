package dev.perimeter.provider.vercel;

import dev.perimeter.provider.InvalidSandboxPathException;
import java.util.ArrayDeque;
import java.util.Deque;

/** File paths relative to the sandbox's workspace (the session's {@code cwd}), checked before they reach Vercel. */
final class WorkspacePaths {

    private WorkspacePaths() {}

    /** The path, normalised and still relative; refused when empty, absolute or leaving the workspace. */
    static String relative(String path) {
        if (path.isBlank()) {
            throw new InvalidSandboxPathException(path, "is empty");
        }
        if (path.startsWith("/")) {
            throw new InvalidSandboxPathException(path, "is absolute; paths are relative to the workspace");
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidSandboxPathException(path, "contains a NUL character");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new InvalidSandboxPathException(path, "leaves the workspace");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        if (parts.isEmpty()) {
            throw new InvalidSandboxPathException(path, "names the workspace itself, not a file in it");
        }
        return String.join("/", parts);
    }

    /** A command's working directory: the workspace, a directory under it, or an absolute path in the sandbox. */
    static String workingDirectory(String workspace, @org.jspecify.annotations.Nullable String cwd) {
        if (cwd == null || cwd.isBlank()) {
            return workspace;
        }
        return cwd.startsWith("/") ? cwd : workspace + "/" + cwd;
    }
}
