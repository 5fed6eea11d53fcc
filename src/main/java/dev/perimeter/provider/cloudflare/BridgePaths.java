package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.InvalidSandboxPathException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Workspace-relative paths, checked before any reaches the bridge and encoded for its {@code /file/*} routes. */
final class BridgePaths {

    static final String WORKSPACE = "/workspace";

    private BridgePaths() {}

    /** The normalised segments of a workspace-relative path; absolute paths and {@code ..} escapes are refused. */
    static List<String> segments(String path) {
        if (path.isEmpty()) {
            throw new InvalidSandboxPathException(path, "is empty");
        }
        if (path.startsWith("/")) {
            throw new InvalidSandboxPathException(path, "is absolute; give a path relative to the workspace");
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
            throw new InvalidSandboxPathException(path, "contains control characters or backslashes");
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new InvalidSandboxPathException(path, "escapes the workspace");
                }
                parts.removeLast();
            } else {
                parts.add(part);
            }
        }
        if (parts.isEmpty()) {
            throw new InvalidSandboxPathException(path, "names the workspace itself, not a file in it");
        }
        return parts;
    }

    /**
     * The path as the tail of a bridge {@code /file/} URL: the bridge prefixes the tail with {@code /} and requires the
     * result to lie under {@code /workspace}, so the tail is {@code workspace/<path>}, each segment percent-encoded.
     */
    static String urlTail(String path) {
        return "workspace/"
                + String.join(
                        "/",
                        segments(path).stream()
                                .map(part -> URLEncoder.encode(part, StandardCharsets.UTF_8)
                                        .replace("+", "%20"))
                                .toList());
    }

    /** A working directory for the bridge's {@code cwd}: the workspace, or a directory inside it. */
    static String cwd(@org.jspecify.annotations.Nullable String cwd) {
        if (cwd == null || cwd.isEmpty() || cwd.equals(".")) {
            return WORKSPACE;
        }
        if (cwd.equals(WORKSPACE)) {
            return WORKSPACE;
        }
        String relative = cwd.startsWith(WORKSPACE + "/") ? cwd.substring(WORKSPACE.length() + 1) : cwd;
        return WORKSPACE + "/" + String.join("/", segments(relative));
    }
}
