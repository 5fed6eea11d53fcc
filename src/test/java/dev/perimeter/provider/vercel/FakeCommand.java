package dev.perimeter.provider.vercel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command for the fake, the way a session does: argv in a fresh bubblewrap sandbox whose {@code
 * /vercel/sandbox} and {@code /tmp} are the fake sandbox's directories, the sandbox's env overridden by the command's,
 * standard input at end of file, and after {@code timeout} ms the whole process tree killed with SIGKILL (exit 137).
 * Output is kept as chunks in arrival order and sent as UTF-8 text, as Vercel's output channel is ("the command output
 * channel is UTF-8 only", {@code vercel/sandbox:packages/vercel-sandbox/src/sandbox-user.ts}).
 */
final class FakeCommand {

    /** One piece of output, in the order it arrived. */
    record Chunk(String stream, String data) {}

    /** How the command ended. */
    record Outcome(int exitCode, long startedAt, long durationMs, List<Chunk> chunks) {}

    private FakeCommand() {}

    static Outcome run(
            FakeSandbox sandbox,
            String command,
            List<String> args,
            String cwd,
            Map<String, String> env,
            long timeoutMs) {
        List<String> argv = new ArrayList<>(List.of(
                "bwrap",
                "--unshare-pid",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/usr",
                "/usr",
                "--ro-bind",
                "/etc",
                "/etc",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--bind",
                sandbox.workspace().toString(),
                FakeSandbox.CWD,
                "--bind",
                sandbox.tmp().toString(),
                "/tmp"));
        for (String dir : List.of("/bin", "/sbin", "/lib", "/lib64")) {
            Path path = Path.of(dir);
            try {
                if (Files.isSymbolicLink(path)) {
                    argv.addAll(
                            List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
                } else if (Files.isDirectory(path)) {
                    argv.addAll(List.of("--ro-bind", dir, dir));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("HOME", FakeSandbox.CWD);
        environment.putAll(sandbox.env);
        environment.putAll(env);
        argv.addAll(List.of("--chdir", cwd, "--clearenv"));
        environment.forEach((name, value) -> argv.addAll(List.of("--setenv", name, value)));
        argv.add("--");
        argv.add(command);
        argv.addAll(args);

        List<Chunk> chunks = new ArrayList<>();
        long startedAt = System.currentTimeMillis();
        long started = System.nanoTime();
        try {
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", chunks));
            Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", chunks));
            int exitCode;
            if (process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                exitCode = process.exitValue();
            } else {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
                exitCode = 137;
            }
            out.join();
            err.join();
            return new Outcome(exitCode, startedAt, (System.nanoTime() - started) / 1_000_000, chunks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pump(InputStream from, String stream, List<Chunk> chunks) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (from) {
            int read;
            while ((read = from.read(buffer)) != -1) {
                pending.write(buffer, 0, read);
                add(chunks, stream, decode(decoder, pending, false));
            }
            add(chunks, stream, decode(decoder, pending, true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes what is pending, keeping an incomplete character for the next chunk. */
    private static String decode(CharsetDecoder decoder, ByteArrayOutputStream pending, boolean end) {
        ByteBuffer in = ByteBuffer.wrap(pending.toByteArray());
        CharBuffer out = CharBuffer.allocate(in.remaining() + 8);
        decoder.decode(in, out, end);
        if (end) {
            decoder.flush(out);
        }
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        pending.reset();
        pending.writeBytes(rest);
        return out.flip().toString();
    }

    private static void add(List<Chunk> chunks, String stream, String data) {
        if (!data.isEmpty()) {
            synchronized (chunks) {
                chunks.add(new Chunk(stream, data));
            }
        }
    }
}
