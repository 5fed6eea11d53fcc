package dev.perimeter.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One command to run in a sandbox.
 *
 * @param command argv; the first element is the program
 * @param cwd working directory, relative to the workspace or absolute inside the sandbox; {@code null} for the
 *     workspace
 * @param env environment variables added to the sandbox's own
 * @param timeout after this the whole process tree is killed and the result says {@code timedOut}
 * @param stdin bytes written to standard input, then closed; {@code null} for none
 * @param maxOutputBytes cap for each of stdout and stderr; output past it is dropped and the result says {@code
 *     truncated}
 */
public record ExecSpec(
        List<String> command,
        @Nullable String cwd,
        Map<String, String> env,
        Duration timeout,
        byte @Nullable [] stdin,
        long maxOutputBytes) {

    public ExecSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}
