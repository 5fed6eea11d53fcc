package dev.perimeter.provider.modal;

import dev.perimeter.provider.InvalidSandboxPathException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * Workspace paths checked before they reach Modal: a file path must stay inside {@link SandboxDefinitions#WORKDIR}
 * by its spelling; links inside the sandbox are checked there, by the script that touches the file.
 */
final class ModalPaths {

    private ModalPaths() {}

    /** {@code path} normalized relative to the workspace, or refused. */
    static String relative(String path) {
        if (path.isEmpty()) {
            throw new InvalidSandboxPathException(path, "is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidSandboxPathException(path, "contains a NUL character");
        }
        if (path.startsWith("/")) {
            throw new InvalidSandboxPathException(path, "is absolute; paths are relative to the workspace");
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw new InvalidSandboxPathException(path, "escapes the workspace");
                }
                segments.removeLast();
            } else {
                segments.addLast(segment);
            }
        }
        if (segments.isEmpty()) {
            throw new InvalidSandboxPathException(path, "names the workspace itself, not a file");
        }
        return String.join("/", segments);
    }

    /** The absolute working directory for a command: the workspace, a path inside it, or an absolute path. */
    static String workdir(@Nullable String cwd) {
        if (cwd == null || cwd.isBlank() || cwd.equals(".")) {
            return SandboxDefinitions.WORKDIR;
        }
        if (cwd.startsWith("/")) {
            return cwd;
        }
        return SandboxDefinitions.WORKDIR + "/" + relative(cwd);
    }
}
