package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.InvalidSandboxPathException;

/**
 * Checks a workspace-relative path before it reaches the Pod: absolute paths and {@code ..} escapes are refused here,
 * links that resolve outside {@code /workspace} are refused inside the Pod ({@code realpath}).
 */
final class WorkspacePaths {

    private WorkspacePaths() {}

    /** The absolute path in the Pod of {@code relative}. */
    static String resolve(String relative) {
        if (relative.isEmpty()) {
            throw new InvalidSandboxPathException(relative, "is empty");
        }
        if (relative.startsWith("/")) {
            throw new InvalidSandboxPathException(relative, "is absolute; paths are relative to the workspace");
        }
        if (relative.indexOf('\0') >= 0) {
            throw new InvalidSandboxPathException(relative, "contains a NUL character");
        }
        int depth = 0;
        StringBuilder normal = new StringBuilder(SandboxPods.WORKSPACE);
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                depth--;
                if (depth < 0) {
                    throw new InvalidSandboxPathException(relative, "escapes the workspace");
                }
                normal.setLength(normal.lastIndexOf("/"));
                continue;
            }
            depth++;
            normal.append('/').append(part);
        }
        if (depth == 0) {
            throw new InvalidSandboxPathException(relative, "names the workspace itself, not a file in it");
        }
        return normal.toString();
    }
}
