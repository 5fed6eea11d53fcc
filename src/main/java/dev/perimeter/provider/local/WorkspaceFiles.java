package dev.perimeter.provider.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import dev.perimeter.provider.InvalidSandboxPathException;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes workspace files from the host without ever leaving the workspace. Each step opens one name
 * relative to an already open directory and never follows a link; a link is followed by reading its target and
 * walking that, and refused when the target leads outside the workspace ({@code ..} past it, or an absolute target
 * not under {@code /workspace}).
 */
final class WorkspaceFiles {

    private static final int MAX_LINKS = 40;
    private static final String OUTSIDE = "leads outside the workspace through a symbolic link";

    /** The content of {@code path}; empty when it does not exist. */
    Optional<byte[]> read(Path workspace, String path, long maxBytes) {
        if (maxBytes < 0) {
            throw new ValidationFailedException("maxBytes", "must not be negative");
        }
        List<String> names = WorkspacePaths.file(path);
        try (DirectoryChain chain = new DirectoryChain(workspace)) {
            Located file = locate(chain, path, names, null);
            if (file == null || file.attributes() == null) {
                return Optional.empty();
            }
            if (file.attributes().isDirectory()) {
                throw new InvalidSandboxPathException(path, "is a directory");
            }
            if (!file.attributes().isRegularFile()) {
                throw new InvalidSandboxPathException(path, "is not a regular file");
            }
            if (file.attributes().size() > maxBytes) {
                throw new PayloadTooLargeException(maxBytes);
            }
            int limit = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
            try (SeekableByteChannel channel =
                    file.directory().newByteChannel(Path.of(file.name()), Set.of(READ, NOFOLLOW_LINKS))) {
                byte[] content = Channels.newInputStream(channel).readNBytes(limit + 1);
                if (content.length > maxBytes) {
                    throw new PayloadTooLargeException(maxBytes);
                }
                return Optional.of(content);
            }
        } catch (IOException e) {
            throw failure(path, e);
        }
    }

    /** Creates or replaces {@code path}, creating its parent directories. */
    void write(Path workspace, Path staging, String path, byte[] content) {
        List<String> names = WorkspacePaths.file(path);
        try (DirectoryChain chain = new DirectoryChain(workspace);
                Staging stage = new Staging(staging)) {
            Located file = locate(chain, path, names, stage);
            if (file == null) {
                throw new IllegalStateException("parent directories are created");
            }
            PosixFileAttributes existing = file.attributes();
            if (existing != null && existing.isDirectory()) {
                throw new InvalidSandboxPathException(path, "is a directory");
            }
            stage.writeFile(
                    file.directory(),
                    file.name(),
                    content,
                    existing != null && existing.isRegularFile() ? existing.permissions() : Staging.defaultFileMode());
        } catch (IOException e) {
            throw failure(path, e);
        }
    }

    /**
     * Walks to the directory holding the last name of {@code path}, following links that stay inside the workspace.
     * Missing directories are created through {@code staging}, or end the walk with {@code null} when it is absent.
     */
    private static @Nullable Located locate(
            DirectoryChain chain, String path, List<String> names, @Nullable Staging staging) throws IOException {
        Deque<String> todo = new ArrayDeque<>(names);
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            boolean last = todo.isEmpty();
            if (name.equals("..")) {
                if (chain.atRoot()) {
                    throw new InvalidSandboxPathException(path, OUTSIDE);
                }
                chain.leave();
                if (last) {
                    throw new InvalidSandboxPathException(path, "is a directory");
                }
                continue;
            }
            PosixFileAttributes attributes = chain.attributes(name);
            if (attributes != null && attributes.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new InvalidSandboxPathException(path, "has too many levels of symbolic links");
                }
                List<String> target = linkTarget(chain, name, path);
                if (target.isEmpty() && last) {
                    throw new InvalidSandboxPathException(path, "is a directory");
                }
                target.reversed().forEach(todo::addFirst);
                continue;
            }
            if (last) {
                return new Located(chain.current(), name, attributes);
            }
            if (attributes == null) {
                if (staging == null) {
                    return null;
                }
                staging.createDirectory(chain.current(), name);
            } else if (!attributes.isDirectory()) {
                throw new InvalidSandboxPathException(path, "goes through '" + name + "', which is not a directory");
            }
            chain.enter(name);
        }
        throw new InvalidSandboxPathException(path, "names no file");
    }

    /** The names a link leads to, relative to the directory that holds it. */
    private static List<String> linkTarget(DirectoryChain chain, String name, String path) throws IOException {
        String target = Files.readSymbolicLink(chain.hostPath(name)).toString();
        if (target.startsWith("/")) {
            // inside the sandbox the workspace is /workspace, so such a link stays inside
            String workspace = BubblewrapCommand.WORKSPACE;
            if (!target.equals(workspace) && !target.startsWith(workspace + "/")) {
                throw new InvalidSandboxPathException(path, OUTSIDE);
            }
            chain.toRoot();
            target = target.substring(workspace.length());
        }
        List<String> names = new ArrayList<>();
        for (String part : target.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                names.add(part);
            }
        }
        return names;
    }

    private static RuntimeException failure(String path, IOException e) {
        if (e instanceof NotDirectoryException
                || e instanceof AccessDeniedException
                || (e instanceof FileSystemException fse
                        && fse.getReason() != null
                        && fse.getReason().contains("symbolic link"))) {
            return new InvalidSandboxPathException(
                    path, "cannot be used: it changed while being resolved or is" + " not accessible");
        }
        return new ProviderErrorException(
                LocalSandboxProvider.TYPE,
                "could not access '" + path + "' in the workspace ("
                        + e.getClass().getSimpleName() + ")",
                e);
    }

    private record Located(
            SecureDirectoryStream<Path> directory, String name, @Nullable PosixFileAttributes attributes) {}
}
