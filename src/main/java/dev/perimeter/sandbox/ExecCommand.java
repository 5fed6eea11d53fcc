package dev.perimeter.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A command an orchestrator asks to run.
 *
 * @param command argv
 * @param cwd working directory, or {@code null} for the workspace
 * @param env extra environment variables
 * @param timeout timeout, or {@code null} for the platform default
 * @param stdin standard input, or {@code null} for none
 */
public record ExecCommand(
        List<String> command,
        @Nullable String cwd,
        Map<String, String> env,
        @Nullable Duration timeout,
        byte @Nullable [] stdin) {}
