package dev.perimeter.provider.cloudflare;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command for the fake bridge and renders what the bridge would stream: a {@code stdout} or {@code stderr}
 * event per chunk read (base64), in the order they were read, then {@code exit} {@code {"exit_code":N}}; or, when
 * {@code timeout_ms} passes first, the process tree killed and an {@code error} event, as the SDK rejects a command
 * that outlives its timeout.
 */
final class FakeCommands {

    private FakeCommands() {}

    static byte[] run(List<String> argv, Path cwd, long timeoutMs) {
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        if (!Files.isDirectory(cwd)) {
            event(events, "error", "{\"error\":\"cwd does not exist\",\"code\":\"exec_error\"}");
            return events.toByteArray();
        }
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            event(
                    events,
                    "stderr",
                    base64(("sh: " + argv.getFirst() + ": not found\n").getBytes(StandardCharsets.UTF_8)));
            event(events, "exit", "{\"exit_code\":127}");
            return events.toByteArray();
        }
        Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", events));
        Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", events));
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
                out.join();
                err.join();
                event(
                        events,
                        "error",
                        "{\"error\":\"Command timeout after " + timeoutMs + "ms\",\"code\":\"exec_error\"}");
                return snapshot(events);
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        event(events, "exit", "{\"exit_code\":" + process.exitValue() + "}");
        return snapshot(events);
    }

    private static void pump(InputStream in, String name, ByteArrayOutputStream events) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                event(events, name, base64(Arrays.copyOf(buffer, n)));
            }
        } catch (IOException ignored) {
            // the process was killed
        }
    }

    private static void event(ByteArrayOutputStream events, String name, String data) {
        synchronized (events) {
            events.writeBytes(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] snapshot(ByteArrayOutputStream events) {
        synchronized (events) {
            return events.toByteArray();
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
