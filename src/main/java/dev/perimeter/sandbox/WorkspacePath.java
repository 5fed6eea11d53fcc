package dev.perimeter.sandbox;

import dev.perimeter.provider.InvalidSandboxPathException;

/**
 * Normalises a file path given to the API: relative to the workspace, or absolute under {@code /workspace}. Anything
 * else, {@code ..} that climbs out, and control characters are refused before any provider sees the path.
 */
final class WorkspacePath {

    static final String ROOT = "/workspace";
    private static final int MAX_LENGTH = 4096;

    private WorkspacePath() {}

    static String normalize(String path) {
        if (path.isEmpty()) {
            throw new InvalidSandboxPathException(path, "is empty");
        }
        if (path.length() > MAX_LENGTH) {
            throw new InvalidSandboxPathException(path, "is longer than " + MAX_LENGTH + " characters");
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidSandboxPathException(path, "contains control characters");
        }
        String relative = path;
        if (path.startsWith("/")) {
            if (!path.equals(ROOT) && !path.startsWith(ROOT + "/")) {
                throw new InvalidSandboxPathException(path, "is absolute and outside " + ROOT);
            }
            relative = path.substring(ROOT.length());
        }
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new InvalidSandboxPathException(path, "escapes the workspace");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        if (parts.isEmpty()) {
            throw new InvalidSandboxPathException(path, "names the workspace itself, not a file");
        }
        return String.join("/", parts);
    }
}
