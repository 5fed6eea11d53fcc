package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ExecSpec;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The argvs Perimeter execs in a sandbox's container. Every one is {@code sh -c <script> sh <args…>}, so values travel
 * as positional parameters and never through the script's text unquoted.
 */
final class ExecScripts {

    /** Exit code of a file script whose path resolves outside the workspace. */
    static final int OUTSIDE_WORKSPACE = 86;
    /** Exit code of a read whose file does not exist. */
    static final int NO_SUCH_FILE = 85;
    /** Exit code of a read whose file is larger than the limit. */
    static final int TOO_LARGE = 84;

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String INSIDE = "case \"$(realpath -m -- \"$1\")\" in " + SandboxPods.WORKSPACE
            + "/*) ;; *) exit " + OUTSIDE_WORKSPACE + ";; esac\n";

    private ExecScripts() {}

    /**
     * A command in its working directory with its environment, killed with its whole process group by {@code
     * timeout} when its time is up; stdin is the exact {@code stdinBytes} that follow, or nothing.
     */
    static List<String> command(ExecSpec spec, long stdinBytes) {
        if (spec.command().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program");
        }
        StringBuilder script = new StringBuilder();
        script.append("cd ").append(quote(workingDirectory(spec))).append(" || exit 125\n");
        for (Map.Entry<String, String> e : new TreeMap<>(spec.env()).entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw new ValidationFailedException("env", "'" + e.getKey() + "' is not a variable name");
            }
            script.append("export ")
                    .append(e.getKey())
                    .append('=')
                    .append(quote(e.getValue()))
                    .append('\n');
        }
        String timeout = "timeout -s KILL " + seconds(spec.timeout()) + " \"$@\"";
        if (spec.stdin() != null) {
            script.append("head -c ")
                    .append(stdinBytes)
                    .append(" | ")
                    .append(timeout)
                    .append('\n');
        } else {
            script.append(timeout).append(" </dev/null\n");
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script.toString(), "sh"));
        argv.addAll(spec.command());
        return argv;
    }

    /** Writes exactly {@code bytes} of stdin to {@code path}, replacing it whole, creating parent directories. */
    static List<String> writeFile(String path, long bytes) {
        String script = INSIDE + "mkdir -p -- \"$(dirname -- \"$1\")\" || exit 87\n"
                + "head -c \"$2\" > \"$1.perimeter-upload\" && mv -f -- \"$1.perimeter-upload\" \"$1\"\n";
        return List.of("sh", "-c", script, "sh", path, Long.toString(bytes));
    }

    /** Prints a file no larger than {@code maxBytes}; exit codes say when it is missing, too large or outside. */
    static List<String> readFile(String path, long maxBytes) {
        String script = INSIDE + "[ -f \"$1\" ] || exit " + NO_SUCH_FILE + "\n"
                + "[ \"$(wc -c < \"$1\")\" -le \"$2\" ] || exit " + TOO_LARGE + "\n"
                + "exec cat -- \"$1\"\n";
        return List.of("sh", "-c", script, "sh", path, Long.toString(maxBytes));
    }

    /** Writes a tar of the workspace to stdout. */
    static List<String> archiveWorkspace() {
        return List.of("tar", "-C", SandboxPods.WORKSPACE, "-cf", "-", ".");
    }

    /** Extracts exactly {@code bytes} of tar from stdin into the workspace. */
    static List<String> restoreWorkspace(long bytes) {
        String script = "head -c \"$1\" | tar -C " + SandboxPods.WORKSPACE + " --no-same-owner -xf -\n";
        return List.of("sh", "-c", script, "sh", Long.toString(bytes));
    }

    private static String workingDirectory(ExecSpec spec) {
        String cwd = spec.cwd();
        if (cwd == null || cwd.isEmpty() || cwd.equals(".")) {
            return SandboxPods.WORKSPACE;
        }
        return cwd.startsWith("/") ? cwd : WorkspacePaths.resolve(cwd);
    }

    private static long seconds(Duration timeout) {
        return Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
