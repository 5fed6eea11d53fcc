package dev.perimeter.provider.local;

import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.InvalidSandboxPathException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Runs the command directly on the host, in the workspace, with a cleared environment. Nothing is isolated: the
 * command sees the host's files, processes and network, and runs as the server's user.
 */
final class UnisolatedCommand implements Launcher {

    @Override
    public boolean isolated() {
        return false;
    }

    @Override
    public HostCommand prepare(Path workspace, SandboxSettings settings, ExecSpec spec) {
        return new HostCommand(
                spec.command(),
                workingDirectory(workspace, spec.cwd()),
                ExecEnvironment.merge(workspace.toString(), settings.env(), spec.env()));
    }

    /** {@code cwd} inside the workspace; {@code /workspace/…} is read as the sandbox would see it. */
    static Path workingDirectory(Path workspace, @Nullable String cwd) {
        if (cwd == null || cwd.isBlank()) {
            return workspace;
        }
        String relative = cwd;
        if (cwd.equals(BubblewrapCommand.WORKSPACE)) {
            relative = "";
        } else if (cwd.startsWith(BubblewrapCommand.WORKSPACE + "/")) {
            relative = cwd.substring(BubblewrapCommand.WORKSPACE.length() + 1);
        } else if (cwd.startsWith("/")) {
            throw new InvalidSandboxPathException(cwd, "is outside /workspace, the only place commands may run");
        }
        Path directory = workspace;
        for (String part : WorkspacePaths.components(relative)) {
            directory = directory.resolve(part);
        }
        return directory;
    }
}
