package dev.perimeter.provider.daytona;

import dev.perimeter.provider.InvalidSandboxPathException;
import java.util.ArrayDeque;
import java.util.Deque;

/** Perimeter's workspace-relative file paths as absolute paths inside a Daytona sandbox. */
final class SandboxPaths {

    private final String workspace;

    SandboxPaths(String workspace) {
        this.workspace = workspace.endsWith("/") ? workspace.substring(0, workspace.length() - 1) : workspace;
    }

    String workspace() {
        return workspace;
    }

    /** The absolute path of {@code relative}; refuses absolute paths, escapes with {@code ..} and empty paths. */
    String resolve(String relative) {
        if (relative.isBlank()) {
            throw new InvalidSandboxPathException(relative, "is empty");
        }
        if (relative.startsWith("/")) {
            throw new InvalidSandboxPathException(relative, "is absolute; paths are relative to the workspace");
        }
        if (relative.indexOf('\0') >= 0) {
            throw new InvalidSandboxPathException(relative, "contains a NUL character");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new InvalidSandboxPathException(relative, "leaves the workspace");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        if (parts.isEmpty()) {
            throw new InvalidSandboxPathException(relative, "names the workspace itself, not a file");
        }
        return workspace + "/" + String.join("/", parts);
    }
}
