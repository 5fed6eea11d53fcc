package dev.perimeter.provider.local;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.local.Launcher.HostCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one host process to completion or to its timeout: feeds stdin, pumps stdout and stderr on virtual threads,
 * and on timeout kills the whole process tree.
 */
final class ProcessRunner {

    /** Exit code reported for a command killed at its timeout: 128 + SIGKILL. */
    static final int KILLED = 128 + 9;

    private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

    /**
     * Starts every process. bubblewrap's {@code --die-with-parent} (PR_SET_PDEATHSIG) fires when the <em>thread</em>
     * that started it ends; a virtual thread's carrier can be retired mid-command, so processes are started from one
     * platform thread that lives as long as the server.
     */
    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("local-sandbox-starter").factory());

    private final RunningExecs running;

    ProcessRunner(RunningExecs running) {
        this.running = running;
    }

    /**
     * Runs {@code command} for the sandbox {@code sandboxId}.
     *
     * @throws IOException when the process cannot be started at all
     */
    ExecResult run(String sandboxId, HostCommand command, ExecSpec spec, ExecOutput output)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command.argv()).directory(command.directory().toFile());
        builder.environment().clear();
        builder.environment().putAll(command.environment());
        long started = System.nanoTime();
        Process process = start(builder);
        running.add(sandboxId, process);
        try {
            OutputPump stdout = OutputPump.start(
                    process.getInputStream(), spec.maxOutputBytes(), output::stdout, "exec-stdout-" + sandboxId);
            OutputPump stderr = OutputPump.start(
                    process.getErrorStream(), spec.maxOutputBytes(), output::stderr, "exec-stderr-" + sandboxId);
            feed(process, spec.stdin());
            // convert() saturates where Duration.toNanos() would overflow
            boolean exited = process.waitFor(TimeUnit.NANOSECONDS.convert(spec.timeout()), TimeUnit.NANOSECONDS);
            if (!exited) {
                log.debug("Command in sandbox {} passed its timeout of {}; killing it", sandboxId, spec.timeout());
                ProcessTrees.kill(process.toHandle());
                process.waitFor();
            }
            stdout.await(DRAIN_GRACE);
            stderr.await(DRAIN_GRACE);
            return new ExecResult(
                    exited ? process.exitValue() : KILLED,
                    stdout.detach(),
                    stderr.detach(),
                    Duration.ofNanos(System.nanoTime() - started),
                    !exited,
                    stdout.truncated() || stderr.truncated());
        } catch (InterruptedException e) {
            ProcessTrees.kill(process.toHandle());
            throw e;
        } finally {
            running.remove(sandboxId, process);
        }
    }

    /** Starts the process; an interrupt meanwhile kills it rather than leaving it unsupervised. */
    private static Process start(ProcessBuilder builder) throws IOException, InterruptedException {
        Future<Process> starting = STARTER.submit(builder::start);
        boolean interrupted = false;
        while (true) {
            try {
                Process process = starting.get();
                if (interrupted) {
                    ProcessTrees.kill(process.toHandle());
                    throw new InterruptedException(
                            "interrupted while starting " + builder.command().getFirst());
                }
                return process;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException(
                        "could not start " + builder.command().getFirst(), e.getCause());
            }
        }
    }

    private static void feed(Process process, byte @Nullable [] stdin) {
        if (stdin == null) {
            closeQuietly(process.getOutputStream());
            return;
        }
        Thread.ofVirtual().name("exec-stdin").start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                log.debug("The command stopped reading its input", e);
            }
        });
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            log.debug("Could not close the command's input", e);
        }
    }
}
