package dev.perimeter.provider.local;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The directories from a workspace down to the current one, each held open and each opened without following a
 * link: whatever a sandbox renames meanwhile, {@link #current()} stays inside the workspace.
 */
final class DirectoryChain implements AutoCloseable {

    private final Path root;
    private final Deque<SecureDirectoryStream<Path>> open = new ArrayDeque<>();
    private final List<String> names = new ArrayList<>();

    DirectoryChain(Path root) throws IOException {
        this.root = root;
        open.push(SecureDirectories.open(root));
    }

    SecureDirectoryStream<Path> current() {
        SecureDirectoryStream<Path> current = open.peek();
        if (current == null) {
            throw new IllegalStateException("closed");
        }
        return current;
    }

    boolean atRoot() {
        return names.isEmpty();
    }

    /** The host path of {@code name} in the current directory, for reading a link's target. */
    Path hostPath(String name) {
        Path path = root;
        for (String dir : names) {
            path = path.resolve(dir);
        }
        return path.resolve(name);
    }

    @Nullable
    PosixFileAttributes attributes(String name) throws IOException {
        return SecureDirectories.attributes(current(), name);
    }

    void enter(String name) throws IOException {
        if (names.size() >= SecureDirectories.MAX_DEPTH) {
            throw new IOException("directory tree deeper than " + SecureDirectories.MAX_DEPTH + " levels");
        }
        open.push(SecureDirectories.enter(current(), name));
        names.add(name);
    }

    void leave() throws IOException {
        if (atRoot()) {
            throw new IllegalStateException("already at the workspace");
        }
        open.pop().close();
        names.removeLast();
    }

    void toRoot() throws IOException {
        while (!atRoot()) {
            leave();
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
