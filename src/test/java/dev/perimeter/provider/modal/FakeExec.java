package dev.perimeter.provider.modal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One command the fake router really runs on this host, in the sandbox's directory: its output kept whole so readers
 * can resume at any offset, its stdin written at offsets, killed with its whole process tree (SIGKILL, which a TERM
 * trap cannot stop) when its timeout passes or the sandbox ends.
 */
final class FakeExec {

    /** Output of one stream, kept whole. */
    static final class Buffer {
        private byte[] data = new byte[0];
        private boolean closed;

        synchronized void append(byte[] chunk, int length) {
            byte[] grown = Arrays.copyOf(data, data.length + length);
            System.arraycopy(chunk, 0, grown, data.length, length);
            data = grown;
            notifyAll();
        }

        synchronized void close() {
            closed = true;
            notifyAll();
        }

        /** Bytes from {@code offset}, at most {@code max}; empty when none yet; {@code null} at the end. */
        synchronized byte @Nullable [] read(long offset, int max, long waitMillis) throws InterruptedException {
            if (offset >= data.length && !closed) {
                wait(waitMillis);
            }
            if (offset < data.length) {
                int end = (int) Math.min(data.length, offset + max);
                return Arrays.copyOfRange(data, (int) offset, end);
            }
            return closed ? null : new byte[0];
        }
    }

    final String taskId;
    final Buffer stdout = new Buffer();
    final Buffer stderr = new Buffer();
    private final @Nullable Process process;
    private final @Nullable OutputStream stdin;
    private long stdinOffset;
    private volatile boolean killed;
    private volatile @Nullable Integer exitCode;

    FakeExec(
            String taskId,
            List<String> argv,
            Path dir,
            Map<String, String> env,
            @Nullable Integer timeoutSecs,
            ScheduledExecutorService timer) {
        this.taskId = taskId;
        Process started;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
            builder.environment().putAll(env);
            started = builder.start();
        } catch (IOException e) {
            started = null;
        }
        this.process = started;
        if (started == null) {
            byte[] message = ("sh: 1: " + argv.getFirst() + ": not found\n").getBytes(StandardCharsets.UTF_8);
            stderr.append(message, message.length);
            stdout.close();
            stderr.close();
            stdin = null;
            exitCode = 127;
            return;
        }
        stdin = started.getOutputStream();
        pump(started.getInputStream(), stdout);
        pump(started.getErrorStream(), stderr);
        if (timeoutSecs != null) {
            timer.schedule(this::kill, timeoutSecs, TimeUnit.SECONDS);
        }
    }

    private static void pump(InputStream from, Buffer to) {
        Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(chunk)) > 0) {
                    to.append(chunk, n);
                }
            } catch (IOException closed) {
                // the process tree was killed
            } finally {
                to.close();
            }
        });
    }

    /** Writes stdin at {@code offset}; a repeated write of bytes already written is ignored. */
    synchronized boolean writeStdin(long offset, byte[] data, boolean eof) throws IOException {
        if (offset > stdinOffset) {
            return false;
        }
        if (stdin == null) {
            return true;
        }
        int skip = (int) (stdinOffset - offset);
        if (skip < data.length) {
            try {
                stdin.write(data, skip, data.length - skip);
                stdin.flush();
            } catch (IOException exited) {
                // the command stopped reading
            }
            stdinOffset += data.length - skip;
        }
        if (eof) {
            try {
                stdin.close();
            } catch (IOException exited) {
                // nothing to close
            }
        }
        return true;
    }

    /** SIGKILL to the command and every process below it. */
    void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        killed = true;
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Waits up to {@code millis} for the exit: the code, or {@code -signal} when killed; {@code null} if running. */
    @Nullable
    Integer awaitExit(long millis) throws InterruptedException {
        if (process == null) {
            return exitCode;
        }
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            return null;
        }
        int value = process.exitValue();
        return killed ? -9 : value;
    }
}
