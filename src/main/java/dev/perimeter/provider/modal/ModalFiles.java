package dev.perimeter.provider.modal;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.InvalidSandboxPathException;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.shared.PayloadTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Files in a Modal sandbox, through commands on the task router: a write pipes the bytes into {@code cat} on stdin, a
 * read runs {@code cat} after checking the file's size. Both scripts resolve the path inside the sandbox ({@code
 * realpath -m}) and refuse one that leaves the workspace through a link.
 */
final class ModalFiles {

    private static final Duration FILE_TIMEOUT = Duration.ofSeconds(60);
    private static final int OUTSIDE = 86;
    private static final int DIRECTORY = 87;
    private static final int NOT_REGULAR = 88;
    private static final int MISSING = 44;
    private static final int TOO_LARGE = 45;

    private static final String CONFINE = "d=$(pwd -P); r=$(realpath -m -- \"$1\") || exit 1; case \"$r\" in"
            + " \"$d\"/*) ;; *) exit " + OUTSIDE + ";; esac; ";
    private static final String WRITE =
            CONFINE + "[ ! -d \"$r\" ] || exit " + DIRECTORY + "; mkdir -p -- \"$(dirname -- \"$r\")\" && cat > \"$r\"";
    private static final String READ = CONFINE + "[ -e \"$r\" ] || exit " + MISSING + "; [ ! -d \"$r\" ] || exit "
            + DIRECTORY + "; [ -f \"$r\" ] || exit " + NOT_REGULAR + "; s=$(wc -c < \"$r\") || exit 1;"
            + " [ \"$s\" -le \"$2\" ] || exit " + TOO_LARGE + "; exec cat -- \"$r\"";

    private final ModalExec exec;

    ModalFiles(ModalExec exec) {
        this.exec = exec;
    }

    void write(String sandboxId, String path, byte[] content) {
        String relative = ModalPaths.relative(path);
        ExecResult result = run(sandboxId, List.of("sh", "-c", WRITE, "sh", relative), content, 64 * 1024);
        check(path, result, "write");
    }

    Optional<byte[]> read(String sandboxId, String path, long maxBytes) {
        String relative = ModalPaths.relative(path);
        ExecResult result =
                run(sandboxId, List.of("sh", "-c", READ, "sh", relative, Long.toString(maxBytes)), null, maxBytes);
        return switch (result.exitCode()) {
            case MISSING -> Optional.empty();
            case TOO_LARGE -> throw new PayloadTooLargeException(maxBytes);
            default -> {
                check(path, result, "read");
                yield Optional.of(result.stdout());
            }
        };
    }

    private ExecResult run(String sandboxId, List<String> argv, byte @Nullable [] stdin, long maxOutput) {
        return exec.exec(
                sandboxId, new ExecSpec(argv, null, Map.of(), FILE_TIMEOUT, stdin, maxOutput), ExecOutput.DISCARD);
    }

    private static void check(String path, ExecResult result, String verb) {
        switch (result.exitCode()) {
            case 0 -> {}
            case OUTSIDE -> throw new InvalidSandboxPathException(path, "resolves outside the workspace");
            case DIRECTORY -> throw new InvalidSandboxPathException(path, "is a directory");
            case NOT_REGULAR -> throw new InvalidSandboxPathException(path, "is not a regular file");
            default ->
                throw new ProviderErrorException(
                        ModalRpc.PROVIDER,
                        "Could not " + verb + " a file in the Modal sandbox (exit " + result.exitCode() + "): "
                                + abbreviate(new String(result.stderr(), StandardCharsets.UTF_8)),
                        null);
        }
    }

    private static String abbreviate(String text) {
        String line = text.strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
