package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.ExecSpec;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The argv sent to the bridge for one command. The bridge's exec takes only {@code argv}, {@code timeout_ms} and
 * {@code cwd}, so environment, standard input and the kill-on-timeout are done by a small {@code sh} wrapper: it reads
 * the sandbox's environment file, exports the command's own variables, feeds standard input (or {@code /dev/null}) and
 * runs the command under {@code timeout -s KILL}, which signals the command's whole process group. A sandbox whose
 * marker file is gone had its container replaced by the bridge: the command is not run and exits {@value #REPLACED}.
 */
final class ExecScript {

    /** The sandbox's environment, written at create; outside what snapshots archive. */
    static final String ENV_DIR = ".perimeter";

    static final String ENV_FILE = ENV_DIR + "/env";

    /**
     * Written last at create. The bridge binds a fresh container, with an empty workspace, to a sandbox whose container
     * slept or stopped; the marker's absence is how Perimeter notices.
     */
    static final String MARKER = ENV_DIR + "/sandbox";

    /** Exit status of a command refused because the sandbox's container was replaced. */
    static final int REPLACED = 125;

    /** Standard input travels inside one argv string, which Linux caps at 128 KiB; base64 needs 4/3 of it. */
    static final int MAX_STDIN = 64 * 1024;

    /** Exit status of a command killed by {@code SIGKILL}. */
    static final int KILLED = 137;

    private ExecScript() {}

    static List<String> argv(ExecSpec spec) {
        if (spec.command().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program");
        }
        StringBuilder script = new StringBuilder();
        script.append("[ -f ")
                .append(BridgePaths.WORKSPACE)
                .append('/')
                .append(MARKER)
                .append(
                        " ] || { echo 'perimeter: the bridge replaced the container of this sandbox (it slept or stopped);"
                                + " its workspace and environment are gone' >&2; exit ")
                .append(REPLACED)
                .append("; }\n");
        script.append("[ -f ")
                .append(BridgePaths.WORKSPACE)
                .append('/')
                .append(ENV_FILE)
                .append(" ] && . ")
                .append(BridgePaths.WORKSPACE)
                .append('/')
                .append(ENV_FILE)
                .append('\n');
        script.append(exports(spec.env()));
        String run = "timeout -s KILL " + seconds(spec.timeout()) + " \"$@\"";
        byte[] stdin = spec.stdin();
        if (stdin == null) {
            script.append(run).append(" </dev/null\n");
        } else {
            if (stdin.length > MAX_STDIN) {
                throw new PayloadTooLargeException(MAX_STDIN);
            }
            script.append("printf '%s' '")
                    .append(Base64.getEncoder().encodeToString(stdin))
                    .append("' | base64 -d | ")
                    .append(run)
                    .append('\n');
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script.toString(), "perimeter"));
        argv.addAll(spec.command());
        return argv;
    }

    /** {@code export NAME='value'} lines, names checked and values single-quoted. */
    static String exports(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(env).forEach((name, value) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new ValidationFailedException("env", "'" + name + "' is not a valid variable name");
            }
            if (value.indexOf('\0') >= 0) {
                throw new ValidationFailedException("env", "the value of " + name + " contains a NUL character");
            }
            out.append("export ")
                    .append(name)
                    .append("='")
                    .append(value.replace("'", "'\\''"))
                    .append("'\n");
        });
        return out.toString();
    }

    private static String seconds(Duration timeout) {
        return String.format(Locale.ROOT, "%.3f", Math.max(1, timeout.toMillis()) / 1000.0);
    }
}
