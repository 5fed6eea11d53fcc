package dev.perimeter.provider.modal;

import com.google.protobuf.ByteString;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.modal.api.TaskCommandRouterGrpc;
import dev.perimeter.provider.modal.api.TaskCommandRouterGrpc.TaskCommandRouterBlockingStub;
import dev.perimeter.provider.modal.api.TaskExecStartRequest;
import dev.perimeter.provider.modal.api.TaskExecStderrConfig;
import dev.perimeter.provider.modal.api.TaskExecStdinWriteRequest;
import dev.perimeter.provider.modal.api.TaskExecStdioFileDescriptor;
import dev.perimeter.provider.modal.api.TaskExecStdioReadRequest;
import dev.perimeter.provider.modal.api.TaskExecStdioReadResponse;
import dev.perimeter.provider.modal.api.TaskExecStdoutConfig;
import dev.perimeter.provider.modal.api.TaskExecWaitRequest;
import dev.perimeter.provider.modal.api.TaskExecWaitResponse;
import dev.perimeter.provider.modal.api.TaskGetCommandRouterAccessResponse;
import dev.perimeter.shared.ValidationFailedException;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs one command through a task's command router, as Modal's SDKs do: {@code TaskExecStart} with a client-chosen
 * exec id (which makes it idempotent), stdin written and closed, stdout and stderr read concurrently (a broken stream
 * is resumed at the byte offset reached), then {@code TaskExecWait}. Nothing waits past the command's timeout plus a
 * grace period: a router that stops answering is a {@code provider-unavailable}, never a hang.
 */
final class ModalExec implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration WAIT_CALL = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration WAIT_RETRY = Duration.ofSeconds(1);
    private static final int READ_RETRIES = 10;
    private static final int STDIN_CHUNK = 1024 * 1024;

    private final ModalRpc rpc;
    private final ModalControlPlane control;
    private final ModalChannels channels;
    private final Map<String, ManagedChannel> routers = new ConcurrentHashMap<>();

    ModalExec(ModalRpc rpc, ModalControlPlane control, ModalChannels channels) {
        this.rpc = rpc;
        this.control = control;
        this.channels = channels;
    }

    /** A task's router, with the JWT that authorizes calls to it. */
    private record Router(String taskId, TaskCommandRouterBlockingStub stub) {}

    ExecResult exec(String sandboxId, ExecSpec spec, ExecOutput output) {
        validate(spec);
        String workdir = ModalPaths.workdir(spec.cwd());
        String taskId = control.taskId(sandboxId);
        Router router = router(taskId);
        String execId = UUID.randomUUID().toString();
        long started = System.nanoTime();
        long giveUpAt = started + spec.timeout().plus(GRACE).toNanos();
        TaskExecStartRequest start = TaskExecStartRequest.newBuilder()
                .setTaskId(taskId)
                .setExecId(execId)
                .addAllCommandArgs(spec.command())
                .setStdoutConfig(TaskExecStdoutConfig.TASK_EXEC_STDOUT_CONFIG_PIPE)
                .setStderrConfig(TaskExecStderrConfig.TASK_EXEC_STDERR_CONFIG_PIPE)
                .setTimeoutSecs(wholeSeconds(spec.timeout()))
                .setWorkdir(workdir)
                .putAllEnv(spec.env())
                .build();
        router = start(router, start);
        writeStdin(router, execId, spec.stdin());

        OutputCapture stdout = new OutputCapture(spec.maxOutputBytes(), output::stdout);
        OutputCapture stderr = new OutputCapture(spec.maxOutputBytes(), output::stderr);
        AtomicReference<@Nullable RuntimeException> readFailure = new AtomicReference<>();
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            Router reading = router;
            Thread out = Thread.ofVirtual()
                    .name("modal-stdout-" + execId)
                    .start(context.wrap(() -> read(
                            reading,
                            execId,
                            TaskExecStdioFileDescriptor.TASK_EXEC_STDIO_FILE_DESCRIPTOR_STDOUT,
                            stdout,
                            giveUpAt,
                            readFailure,
                            context)));
            Thread err = Thread.ofVirtual()
                    .name("modal-stderr-" + execId)
                    .start(context.wrap(() -> read(
                            reading,
                            execId,
                            TaskExecStdioFileDescriptor.TASK_EXEC_STDIO_FILE_DESCRIPTOR_STDERR,
                            stderr,
                            giveUpAt,
                            readFailure,
                            context)));
            TaskExecWaitResponse exit = runIn(context, () -> waitFor(reading, execId, giveUpAt, readFailure));
            join(out, giveUpAt);
            join(err, giveUpAt);
            RuntimeException failed = readFailure.get();
            if (failed != null) {
                throw failed;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            return result(exit, spec, took, stdout, stderr);
        } finally {
            context.cancel(null);
        }
    }

    private static ExecResult result(
            TaskExecWaitResponse exit, ExecSpec spec, Duration took, OutputCapture stdout, OutputCapture stderr) {
        int code =
                switch (exit.getExitStatusCase()) {
                    case CODE -> exit.getCode();
                    case SIGNAL -> 128 + exit.getSignal();
                    case EXITSTATUS_NOT_SET ->
                        throw ModalRpc.badAnswer("TaskExecWait", "without an exit code or a signal");
                };
        boolean killed = exit.getExitStatusCase() == TaskExecWaitResponse.ExitStatusCase.SIGNAL || code == 137;
        boolean timedOut = killed && took.compareTo(spec.timeout()) >= 0;
        return new ExecResult(
                code, stdout.bytes(), stderr.bytes(), took, timedOut, stdout.truncated() || stderr.truncated());
    }

    private Router router(String taskId) {
        TaskGetCommandRouterAccessResponse access = control.routerAccess(taskId);
        URI url = URI.create(access.getUrl());
        if (!"https".equals(url.getScheme())) {
            throw ModalRpc.badAnswer("TaskGetCommandRouterAccess", "with a router URL that is not https");
        }
        ManagedChannel channel = routers.computeIfAbsent(url.toString(), key -> channels.open(url));
        Metadata bearer = new Metadata();
        bearer.put(AUTHORIZATION, "Bearer " + access.getJwt());
        return new Router(
                taskId,
                TaskCommandRouterGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer)));
    }

    /** Starts the command; a router token that has expired is fetched again once, as the SDKs do. */
    private Router start(Router router, TaskExecStartRequest start) {
        try {
            startOnce(router, start);
            return router;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof StatusRuntimeException failure
                    && ModalRpc.is(failure, Status.Code.UNAUTHENTICATED)) {
                Router fresh = router(router.taskId());
                startOnce(fresh, start);
                return fresh;
            }
            throw e;
        }
    }

    private void startOnce(Router router, TaskExecStartRequest start) {
        rpc.unary(
                "TaskExecStart",
                true,
                router.stub(),
                rpc.settings().requestTimeout(),
                false,
                s -> s.taskExecStart(start));
    }

    private void writeStdin(Router router, String execId, byte @Nullable [] stdin) {
        byte[] data = stdin == null ? new byte[0] : stdin;
        int offset = 0;
        do {
            int length = Math.min(STDIN_CHUNK, data.length - offset);
            TaskExecStdinWriteRequest write = TaskExecStdinWriteRequest.newBuilder()
                    .setTaskId(router.taskId())
                    .setExecId(execId)
                    .setOffset(offset)
                    .setData(ByteString.copyFrom(data, offset, length))
                    .setEof(offset + length == data.length)
                    .build();
            rpc.unary(
                    "TaskExecStdinWrite",
                    true,
                    router.stub(),
                    rpc.settings().requestTimeout(),
                    false,
                    s -> s.taskExecStdinWrite(write));
            offset += length;
        } while (offset < data.length);
    }

    private void read(
            Router router,
            String execId,
            TaskExecStdioFileDescriptor descriptor,
            OutputCapture capture,
            long giveUpAt,
            AtomicReference<@Nullable RuntimeException> failure,
            Context.CancellableContext context) {
        long offset = 0;
        int failures = 0;
        while (true) {
            try {
                Iterator<TaskExecStdioReadResponse> chunks = router.stub()
                        .withDeadlineAfter(remaining(giveUpAt), TimeUnit.NANOSECONDS)
                        .taskExecStdioRead(TaskExecStdioReadRequest.newBuilder()
                                .setTaskId(router.taskId())
                                .setExecId(execId)
                                .setOffset(offset)
                                .setFileDescriptor(descriptor)
                                .build());
                while (chunks.hasNext()) {
                    ByteString data = chunks.next().getData();
                    offset += data.size();
                    failures = 0;
                    capture.accept(data.toByteArray());
                }
                return;
            } catch (StatusRuntimeException e) {
                if (context.isCancelled()) {
                    return;
                }
                boolean resumable = ModalRpc.isTransient(e) && !ModalRpc.is(e, Status.Code.DEADLINE_EXCEEDED);
                if (resumable && ++failures <= READ_RETRIES && remaining(giveUpAt) > 0) {
                    pause(Duration.ofMillis(10L << Math.min(failures - 1, 6)));
                    continue;
                }
                RuntimeException typed = ModalRpc.is(e, Status.Code.DEADLINE_EXCEEDED)
                        ? new ProviderUnavailableException(
                                ModalRpc.PROVIDER, "Modal's command output did not end in time", e)
                        : new ProviderUnavailableException(
                                ModalRpc.PROVIDER,
                                "The command output stream from Modal broke after " + offset + " bytes and could not"
                                        + " be resumed: "
                                        + rpc.failure("TaskExecStdioRead", e).getMessage(),
                                e);
                failure.compareAndSet(null, typed);
                context.cancel(e);
                return;
            }
        }
    }

    private TaskExecWaitResponse waitFor(
            Router router, String execId, long giveUpAt, AtomicReference<@Nullable RuntimeException> readFailure) {
        TaskExecWaitRequest request = TaskExecWaitRequest.newBuilder()
                .setTaskId(router.taskId())
                .setExecId(execId)
                .build();
        while (true) {
            long left = remaining(giveUpAt);
            if (left <= 0) {
                throw new ProviderUnavailableException(
                        ModalRpc.PROVIDER, "Modal did not report the end of the command in time", null);
            }
            try {
                return router.stub()
                        .withDeadlineAfter(Math.min(WAIT_CALL.toNanos(), left), TimeUnit.NANOSECONDS)
                        .taskExecWait(request);
            } catch (StatusRuntimeException e) {
                RuntimeException failed = readFailure.get();
                if (failed != null) {
                    throw failed;
                }
                if (!ModalRpc.isTransient(e)) {
                    throw rpc.failure("TaskExecWait", e);
                }
                pause(WAIT_RETRY);
            }
        }
    }

    private static void join(Thread reader, long giveUpAt) {
        try {
            if (!reader.join(Duration.ofNanos(Math.max(1, remaining(giveUpAt))))) {
                throw new ProviderUnavailableException(
                        ModalRpc.PROVIDER, "Modal's command output did not end after the command exited", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException(ModalRpc.PROVIDER, "Interrupted while reading Modal output", e);
        }
    }

    private static <T> T runIn(Context.CancellableContext context, java.util.concurrent.Callable<T> call) {
        try {
            return context.call(call);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void validate(ExecSpec spec) {
        if (spec.command().isEmpty() || spec.command().getFirst().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program to run");
        }
        if (spec.command().stream().anyMatch(arg -> arg.indexOf('\0') >= 0)) {
            throw new ValidationFailedException("command", "contains a NUL character");
        }
    }

    private static int wholeSeconds(Duration timeout) {
        long seconds = timeout.toSeconds() + (timeout.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }

    private static long remaining(long giveUpAt) {
        return giveUpAt - System.nanoTime();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException(ModalRpc.PROVIDER, "Interrupted while waiting for Modal", e);
        }
    }

    @Override
    public void close() {
        routers.values().forEach(ManagedChannel::shutdownNow);
        routers.clear();
    }
}
