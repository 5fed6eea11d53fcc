package dev.perimeter.provider.local;

import dev.perimeter.provider.ExecSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Turns one exec into the host process that runs it: inside bubblewrap, or directly when isolation is off. */
sealed interface Launcher permits BubblewrapCommand, UnisolatedCommand {

    /** The host process for {@code spec} in the sandbox whose workspace is {@code workspace}. */
    HostCommand prepare(Path workspace, SandboxSettings settings, ExecSpec spec) throws IOException;

    /** Whether commands are isolated from the host. */
    boolean isolated();

    /**
     * One host process to start.
     *
     * @param argv program and arguments
     * @param directory working directory of the host process
     * @param environment its complete environment
     */
    record HostCommand(List<String> argv, Path directory, Map<String, String> environment) {

        public HostCommand {
            argv = List.copyOf(argv);
            environment = Map.copyOf(environment);
        }
    }
}
