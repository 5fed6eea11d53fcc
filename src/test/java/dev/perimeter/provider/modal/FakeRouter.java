package dev.perimeter.provider.modal;

import static dev.perimeter.provider.modal.FakeControlPlane.require;
import static dev.perimeter.provider.modal.FakeControlPlane.respond;

import com.google.protobuf.ByteString;
import dev.perimeter.provider.modal.FakeModal.FakeSandbox;
import dev.perimeter.provider.modal.api.TaskCommandRouterGrpc;
import dev.perimeter.provider.modal.api.TaskExecStartRequest;
import dev.perimeter.provider.modal.api.TaskExecStartResponse;
import dev.perimeter.provider.modal.api.TaskExecStderrConfig;
import dev.perimeter.provider.modal.api.TaskExecStdinWriteRequest;
import dev.perimeter.provider.modal.api.TaskExecStdinWriteResponse;
import dev.perimeter.provider.modal.api.TaskExecStdioFileDescriptor;
import dev.perimeter.provider.modal.api.TaskExecStdioReadRequest;
import dev.perimeter.provider.modal.api.TaskExecStdioReadResponse;
import dev.perimeter.provider.modal.api.TaskExecStdoutConfig;
import dev.perimeter.provider.modal.api.TaskExecWaitRequest;
import dev.perimeter.provider.modal.api.TaskExecWaitResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The fake's task command router: runs commands for real in the sandbox's directory, streams stdout and stderr in
 * chunks from any offset, writes stdin at offsets, and reports the exit code or the signal.
 */
final class FakeRouter extends TaskCommandRouterGrpc.TaskCommandRouterImplBase {

    private static final int CHUNK = 4096;

    private final FakeModal modal;

    FakeRouter(FakeModal modal) {
        this.modal = modal;
    }

    @Override
    public void taskExecStart(TaskExecStartRequest request, StreamObserver<TaskExecStartResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = modal.sandboxes.values().stream()
                    .filter(s -> s.taskId.equals(request.getTaskId()) && !s.terminated)
                    .findFirst()
                    .orElseThrow(() ->
                            Status.NOT_FOUND.withDescription("Task not found").asRuntimeException());
            require(isUuid(request.getExecId()), "exec_id must be a UUID");
            require(request.getCommandArgsCount() > 0, "command_args is required");
            require(
                    request.getStdoutConfig() == TaskExecStdoutConfig.TASK_EXEC_STDOUT_CONFIG_PIPE
                            && request.getStderrConfig() == TaskExecStderrConfig.TASK_EXEC_STDERR_CONFIG_PIPE,
                    "stdout and stderr must be piped");
            require(!request.hasTimeoutSecs() || request.getTimeoutSecs() > 0, "timeout_secs must be positive");
            if (modal.execs.containsKey(request.getExecId())) {
                return TaskExecStartResponse.getDefaultInstance();
            }
            Path dir = directory(sandbox, request.hasWorkdir() ? request.getWorkdir() : sandbox.workdir);
            Map<String, String> env = new HashMap<>(sandbox.env);
            env.putAll(request.getEnvMap());
            modal.execs.put(
                    request.getExecId(),
                    new FakeExec(
                            sandbox.taskId,
                            request.getCommandArgsList(),
                            dir,
                            env,
                            request.hasTimeoutSecs() ? request.getTimeoutSecs() : null,
                            modal.timer));
            return TaskExecStartResponse.getDefaultInstance();
        });
    }

    private static Path directory(FakeSandbox sandbox, String workdir) {
        require(workdir.startsWith("/"), "workdir must be absolute");
        Path dir;
        if (workdir.equals(sandbox.workdir)) {
            dir = sandbox.dir;
        } else if (workdir.startsWith(sandbox.workdir + "/")) {
            dir = sandbox.dir.resolve(workdir.substring(sandbox.workdir.length() + 1));
        } else {
            throw Status.INVALID_ARGUMENT
                    .withDescription("The fake runs commands only under " + sandbox.workdir)
                    .asRuntimeException();
        }
        if (!Files.isDirectory(dir)) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("workdir " + workdir + " does not exist")
                    .asRuntimeException();
        }
        return dir;
    }

    @Override
    public void taskExecStdinWrite(
            TaskExecStdinWriteRequest request, StreamObserver<TaskExecStdinWriteResponse> answer) {
        respond(answer, () -> {
            FakeExec exec = exec(request.getTaskId(), request.getExecId());
            try {
                require(
                        exec.writeStdin(request.getOffset(), request.getData().toByteArray(), request.getEof()),
                        "stdin offset skips bytes");
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("stdin broke").asRuntimeException();
            }
            return TaskExecStdinWriteResponse.getDefaultInstance();
        });
    }

    @Override
    public void taskExecStdioRead(TaskExecStdioReadRequest request, StreamObserver<TaskExecStdioReadResponse> answer) {
        FakeExec exec;
        try {
            exec = exec(request.getTaskId(), request.getExecId());
        } catch (RuntimeException e) {
            answer.onError(e);
            return;
        }
        FakeExec.Buffer buffer =
                request.getFileDescriptor() == TaskExecStdioFileDescriptor.TASK_EXEC_STDIO_FILE_DESCRIPTOR_STDERR
                        ? exec.stderr
                        : exec.stdout;
        long offset = request.getOffset();
        long sent = 0;
        boolean breaks = buffer == exec.stdout && modal.stdioBreaks.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        try {
            while (!Context.current().isCancelled()) {
                if (breaks && sent >= modal.stdioBreakAfter) {
                    answer.onError(Status.UNAVAILABLE
                            .withDescription("upstream connect error or disconnect/reset before headers")
                            .asRuntimeException());
                    return;
                }
                int max = breaks ? (int) Math.max(1, Math.min(CHUNK, modal.stdioBreakAfter - sent)) : CHUNK;
                byte[] chunk = buffer.read(offset, max, 200);
                if (chunk == null) {
                    answer.onCompleted();
                    return;
                }
                if (chunk.length > 0) {
                    answer.onNext(TaskExecStdioReadResponse.newBuilder()
                            .setData(ByteString.copyFrom(chunk))
                            .build());
                    offset += chunk.length;
                    sent += chunk.length;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void taskExecWait(TaskExecWaitRequest request, StreamObserver<TaskExecWaitResponse> answer) {
        FakeExec exec;
        try {
            exec = exec(request.getTaskId(), request.getExecId());
        } catch (RuntimeException e) {
            answer.onError(e);
            return;
        }
        try {
            while (!Context.current().isCancelled()) {
                Integer exit = exec.awaitExit(200);
                if (exit != null) {
                    TaskExecWaitResponse.Builder response = TaskExecWaitResponse.newBuilder();
                    if (!modal.waitWithoutExit) {
                        if (exit < 0) {
                            response.setSignal(-exit);
                        } else {
                            response.setCode(exit);
                        }
                    }
                    answer.onNext(response.build());
                    answer.onCompleted();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private FakeExec exec(String taskId, String execId) {
        FakeExec exec = modal.execs.get(execId);
        if (exec == null || !exec.taskId.equals(taskId)) {
            throw Status.NOT_FOUND.withDescription("Exec not found").asRuntimeException();
        }
        return exec;
    }

    private static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
