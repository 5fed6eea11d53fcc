package dev.perimeter.provider.daytona;

import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.shared.ValidationFailedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shell program Perimeter runs through the toolbox's {@code process/execute} for one command. That endpoint takes
 * one command string, returns stdout and stderr mixed in one {@code result}, has no stdin and kills only the direct
 * child at its timeout. So the program feeds stdin from a file, sends stdout and stderr to files, runs the command
 * under {@code timeout -s KILL} (which kills the command's whole process group), and prints one framed report: exit
 * code, whether the timeout struck, the streams' sizes, then each stream (capped) in base64.
 *
 * <p>The toolbox splits the command string on spaces outside quotes, so the program travels base64-encoded inside
 * one single-quoted argument to {@code sh -c}.
 */
final class ExecScript {

    /** stdin travels inside the command line, which Linux limits to 128 KiB per argument. */
    static final int MAX_STDIN = 48 * 1024;

    static final String MARKER = "PERIMETER-EXEC";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ExecScript() {}

    /** The {@code command} string for {@code process/execute}. */
    static String command(ExecSpec spec) {
        String program = program(spec);
        String encoded = Base64.getEncoder().encodeToString(program.getBytes(StandardCharsets.UTF_8));
        return "sh -c 'eval \"$(echo " + encoded + " | base64 -d)\"'";
    }

    /** Seconds the command may run, at least one. */
    static long seconds(Duration timeout) {
        long seconds = (timeout.toMillis() + 999) / 1000;
        return Math.max(1, seconds);
    }

    static void validate(ExecSpec spec) {
        if (spec.command().isEmpty() || spec.command().getFirst().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program");
        }
        if (spec.stdin() != null && spec.stdin().length > MAX_STDIN) {
            throw new ValidationFailedException(
                    "stdin",
                    "must be at most " + MAX_STDIN + " bytes on provider 'daytona'; upload larger input as a file");
        }
        for (String name : spec.env().keySet()) {
            if (!ENV_NAME.matcher(name).matches()) {
                throw new ValidationFailedException("env", "'" + name + "' is not a valid environment variable name");
            }
        }
    }

    private static String program(ExecSpec spec) {
        long seconds = seconds(spec.timeout());
        long cap = spec.maxOutputBytes();
        StringBuilder sh = new StringBuilder();
        sh.append("d=$(mktemp -d) || exit 97\n");
        if (spec.stdin() != null) {
            sh.append("printf '%s' '")
                    .append(Base64.getEncoder().encodeToString(spec.stdin()))
                    .append("' | base64 -d > \"$d/i\"\n");
        } else {
            sh.append(": > \"$d/i\"\n");
        }
        sh.append(": > \"$d/o\"; : > \"$d/e\"\n");
        String run = "timeout -s KILL " + seconds + " " + String.join(" ", quoted(spec.command()))
                + " < \"$d/i\" > \"$d/o\" 2> \"$d/e\"";
        if (spec.cwd() != null) {
            run = "if cd -- " + quote(spec.cwd()) + " 2> \"$d/e\"; then " + run + "; else false; fi";
        }
        sh.append("s=$(date +%s)\n")
                .append(run)
                .append("\nc=$?\nt=0\n")
                .append("if [ \"$c\" -eq 137 ] && [ $(( $(date +%s) - s )) -ge ")
                .append(seconds)
                .append(" ]; then t=1; fi\n")
                .append("echo \"" + MARKER + " $c $t $(wc -c < \"$d/o\") $(wc -c < \"$d/e\")\"\n")
                .append("head -c ")
                .append(cap)
                .append(" \"$d/o\" | base64 | tr -d '\\n'; echo\n")
                .append("head -c ")
                .append(cap)
                .append(" \"$d/e\" | base64 | tr -d '\\n'; echo\n")
                .append("rm -rf \"$d\"\n");
        return sh.toString();
    }

    private static List<String> quoted(List<String> argv) {
        return argv.stream().map(ExecScript::quote).toList();
    }

    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /**
     * What the program reported.
     *
     * @param exitCode the command's exit code
     * @param timedOut whether the timeout killed it
     * @param stdoutBytes how many bytes it wrote to stdout
     * @param stderrBytes how many bytes it wrote to stderr
     * @param stdout stdout, at most the cap
     * @param stderr stderr, at most the cap
     */
    record Report(int exitCode, boolean timedOut, long stdoutBytes, long stderrBytes, byte[] stdout, byte[] stderr) {}

    /**
     * Reads the framed report out of the toolbox's {@code result}; empty when it is missing or incomplete (both stream
     * lines present, each as long as the sizes and the cap say).
     */
    static Optional<Report> parse(String result, long cap) {
        List<String> lines = result.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (!line.startsWith(MARKER + " ")) {
                continue;
            }
            String[] fields = line.substring(MARKER.length()).strip().split("\\s+");
            if (fields.length != 4) {
                return Optional.empty();
            }
            if (i + 2 >= lines.size()) {
                return Optional.empty();
            }
            try {
                byte[] stdout = Base64.getDecoder().decode(lines.get(i + 1).strip());
                byte[] stderr = Base64.getDecoder().decode(lines.get(i + 2).strip());
                long stdoutBytes = Long.parseLong(fields[2]);
                long stderrBytes = Long.parseLong(fields[3]);
                if (stdout.length != Math.min(stdoutBytes, cap) || stderr.length != Math.min(stderrBytes, cap)) {
                    return Optional.empty();
                }
                return Optional.of(new Report(
                        Integer.parseInt(fields[0]), "1".equals(fields[1]), stdoutBytes, stderrBytes, stdout, stderr));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static ProviderErrorException unreadable(String result) {
        String shown = result.length() > 300 ? result.substring(0, 300) + "…" : result;
        return new ProviderErrorException(
                DaytonaSandboxProvider.TYPE,
                "Daytona's toolbox ran the command but its output could not be read: " + shown.strip(),
                null);
    }
}
