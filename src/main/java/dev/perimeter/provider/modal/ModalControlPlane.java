package dev.perimeter.provider.modal;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.modal.api.AppGetOrCreateRequest;
import dev.perimeter.provider.modal.api.GenericResult;
import dev.perimeter.provider.modal.api.Image;
import dev.perimeter.provider.modal.api.ImageDeleteRequest;
import dev.perimeter.provider.modal.api.ImageGetOrCreateRequest;
import dev.perimeter.provider.modal.api.ImageGetOrCreateResponse;
import dev.perimeter.provider.modal.api.ImageJoinStreamingRequest;
import dev.perimeter.provider.modal.api.ImageJoinStreamingResponse;
import dev.perimeter.provider.modal.api.ModalClientGrpc.ModalClientBlockingStub;
import dev.perimeter.provider.modal.api.ObjectCreationType;
import dev.perimeter.provider.modal.api.Sandbox;
import dev.perimeter.provider.modal.api.SandboxCreateRequest;
import dev.perimeter.provider.modal.api.SandboxGetTaskIdRequest;
import dev.perimeter.provider.modal.api.SandboxGetTaskIdResponse;
import dev.perimeter.provider.modal.api.SandboxInfo;
import dev.perimeter.provider.modal.api.SandboxListRequest;
import dev.perimeter.provider.modal.api.SandboxSnapshotFsRequest;
import dev.perimeter.provider.modal.api.SandboxSnapshotFsResponse;
import dev.perimeter.provider.modal.api.SandboxTag;
import dev.perimeter.provider.modal.api.SandboxTerminateRequest;
import dev.perimeter.provider.modal.api.SandboxWaitRequest;
import dev.perimeter.provider.modal.api.SecretGetOrCreateRequest;
import dev.perimeter.provider.modal.api.TaskGetCommandRouterAccessRequest;
import dev.perimeter.provider.modal.api.TaskGetCommandRouterAccessResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Typed calls to Modal's control plane ({@code modal.client.ModalClient}). The app id and base image ids are cached:
 * they are Modal's, the same on every replica, and found again by get-or-create after a restart.
 */
final class ModalControlPlane {

    /** Modal's image builder version the SDKs send. */
    static final String BUILDER_VERSION = "2024.10";

    private static final Duration TASK_POLL = Duration.ofMillis(500);
    private static final int TASK_POLLS = 600;
    private static final Duration IMAGE_BUILD = Duration.ofMinutes(10);
    private static final float SERVER_WAIT_SECONDS = 55;
    private static final Duration SERVER_WAIT_DEADLINE = Duration.ofSeconds(60);

    private final ModalRpc rpc;
    private final ModalClientBlockingStub stub;
    private final String appName;
    private final String environment;
    private final AtomicReference<@Nullable String> appId = new AtomicReference<>();
    private final Map<String, String> images = new ConcurrentHashMap<>();

    ModalControlPlane(ModalRpc rpc, ModalClientBlockingStub stub, String appName, String environment) {
        this.rpc = rpc;
        this.stub = stub;
        this.appName = appName;
        this.environment = environment;
    }

    /** The id of the app every sandbox belongs to, created if missing. */
    String appId() {
        String known = appId.get();
        if (known != null) {
            return known;
        }
        String id = rpc.unary(
                        "AppGetOrCreate",
                        true,
                        stub,
                        s -> s.appGetOrCreate(AppGetOrCreateRequest.newBuilder()
                                .setAppName(appName)
                                .setEnvironmentName(environment)
                                .setObjectCreationType(ObjectCreationType.OBJECT_CREATION_TYPE_CREATE_IF_MISSING)
                                .build()))
                .getAppId();
        if (id.isBlank()) {
            throw ModalRpc.badAnswer("AppGetOrCreate", "without an app id");
        }
        appId.set(id);
        return id;
    }

    /** The id of a built image of {@code dockerfileCommands}, building it and waiting for the build if needed. */
    String imageId(List<String> dockerfileCommands) {
        String key = String.join("\n", dockerfileCommands);
        String known = images.get(key);
        if (known != null) {
            return known;
        }
        String app = appId();
        ImageGetOrCreateResponse answer = rpc.unary(
                "ImageGetOrCreate",
                true,
                stub,
                s -> s.imageGetOrCreate(ImageGetOrCreateRequest.newBuilder()
                        .setAppId(app)
                        .setImage(Image.newBuilder().addAllDockerfileCommands(dockerfileCommands))
                        .setBuilderVersion(BUILDER_VERSION)
                        .build()));
        if (answer.getImageId().isBlank()) {
            throw ModalRpc.badAnswer("ImageGetOrCreate", "without an image id");
        }
        GenericResult result = answer.hasResult() && answer.getResult().getStatusValue() != 0
                ? answer.getResult()
                : joinImageBuild(answer.getImageId());
        requireSuccess("ImageGetOrCreate", "build the image " + dockerfileCommands.getFirst(), result);
        images.put(key, answer.getImageId());
        return answer.getImageId();
    }

    private GenericResult joinImageBuild(String imageId) {
        long giveUpAt = System.nanoTime() + IMAGE_BUILD.toNanos();
        String lastEntry = "";
        while (System.nanoTime() < giveUpAt) {
            try {
                Iterator<ImageJoinStreamingResponse> answers = stub.withDeadlineAfter(
                                SERVER_WAIT_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                        .imageJoinStreaming(ImageJoinStreamingRequest.newBuilder()
                                .setImageId(imageId)
                                .setTimeout(SERVER_WAIT_SECONDS)
                                .setLastEntryId(lastEntry)
                                .build());
                while (answers.hasNext()) {
                    ImageJoinStreamingResponse answer = answers.next();
                    if (!answer.getEntryId().isEmpty()) {
                        lastEntry = answer.getEntryId();
                    }
                    if (answer.hasResult() && answer.getResult().getStatusValue() != 0) {
                        return answer.getResult();
                    }
                    if (answer.getEof()) {
                        break;
                    }
                }
            } catch (StatusRuntimeException e) {
                if (!ModalRpc.isTransient(e)) {
                    throw rpc.failure("ImageJoinStreaming", e);
                }
            }
        }
        throw new ProviderUnavailableException(
                ModalRpc.PROVIDER, "Provider 'modal' did not finish building an image in " + IMAGE_BUILD, null);
    }

    /** An ephemeral secret holding {@code env}, as the SDKs pass environment variables to a sandbox. */
    String secretId(Map<String, String> env) {
        String id = rpc.unary(
                        "SecretGetOrCreate",
                        true,
                        stub,
                        s -> s.secretGetOrCreate(SecretGetOrCreateRequest.newBuilder()
                                .setEnvironmentName(environment)
                                .setObjectCreationType(ObjectCreationType.OBJECT_CREATION_TYPE_EPHEMERAL)
                                .putAllEnvDict(env)
                                .build()))
                .getSecretId();
        if (id.isBlank()) {
            throw ModalRpc.badAnswer("SecretGetOrCreate", "without a secret id");
        }
        return id;
    }

    /**
     * Creates a sandbox. Named with our id, so a repeat answers ALREADY_EXISTS and is safe to retry; empty then.
     */
    Optional<String> createSandbox(String app, Sandbox definition, Map<String, String> tags) {
        try {
            String id = rpc.unary(
                            "SandboxCreate",
                            true,
                            stub,
                            s -> s.sandboxCreate(SandboxCreateRequest.newBuilder()
                                    .setAppId(app)
                                    .setDefinition(definition)
                                    .addAllTags(tags(tags))
                                    .build()))
                    .getSandboxId();
            if (id.isBlank()) {
                throw ModalRpc.badAnswer("SandboxCreate", "without a sandbox id");
            }
            return Optional.of(id);
        } catch (ProviderErrorException e) {
            if (e.getCause() instanceof StatusRuntimeException failure
                    && ModalRpc.is(failure, Status.Code.ALREADY_EXISTS)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Running sandboxes of the app that carry every one of {@code tags}, newest first, all pages. */
    List<SandboxInfo> listSandboxes(String app, Map<String, String> tags) {
        List<SandboxInfo> all = new ArrayList<>();
        double before = 0;
        while (true) {
            double cursor = before;
            List<SandboxInfo> page = rpc.unary(
                            "SandboxList",
                            true,
                            stub,
                            s -> s.sandboxList(SandboxListRequest.newBuilder()
                                    .setAppId(app)
                                    .setEnvironmentName(environment)
                                    .setBeforeTimestamp(cursor)
                                    .setIncludeFinished(false)
                                    .addAllTags(tags(tags))
                                    .build()))
                    .getSandboxesList();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            double last = page.getLast().getCreatedAt();
            if (last <= 0 || (before != 0 && last >= before)) {
                throw ModalRpc.badAnswer("SandboxList", "with a page that does not move back in time");
            }
            before = last;
        }
    }

    /** The task running the sandbox, polling until it is scheduled; fails when the sandbox has already ended. */
    String taskId(String sandboxId) {
        for (int poll = 0; poll < TASK_POLLS; poll++) {
            SandboxGetTaskIdResponse answer = rpc.unary(
                    "SandboxGetTaskId",
                    true,
                    stub,
                    s -> s.sandboxGetTaskId(SandboxGetTaskIdRequest.newBuilder()
                            .setSandboxId(sandboxId)
                            .build()));
            if (answer.hasTaskResult()) {
                GenericResult result = answer.getTaskResult();
                throw new ProviderErrorException(
                        ModalRpc.PROVIDER,
                        "Modal sandbox " + sandboxId + " has ended (" + result.getStatus() + ")"
                                + (result.getException().isBlank() ? "" : ": " + result.getException()),
                        null);
            }
            if (answer.hasTaskId() && !answer.getTaskId().isBlank()) {
                return answer.getTaskId();
            }
            sleep(TASK_POLL);
        }
        throw new ProviderUnavailableException(
                ModalRpc.PROVIDER, "Modal did not schedule sandbox " + sandboxId + " in time", null);
    }

    /** The URL and JWT of the command router of a task. */
    TaskGetCommandRouterAccessResponse routerAccess(String taskId) {
        TaskGetCommandRouterAccessResponse access = rpc.unary(
                "TaskGetCommandRouterAccess",
                true,
                stub,
                s -> s.taskGetCommandRouterAccess(TaskGetCommandRouterAccessRequest.newBuilder()
                        .setTaskId(taskId)
                        .build()));
        if (access.getJwt().isBlank() || access.getUrl().isBlank()) {
            throw ModalRpc.badAnswer("TaskGetCommandRouterAccess", "without a router URL or token");
        }
        return access;
    }

    /** The sandbox's end result; empty while it runs. NOT_FOUND is thrown as such. */
    Optional<GenericResult> poll(String sandboxId) {
        GenericResult result = rpc.unary(
                        "SandboxWait",
                        true,
                        stub,
                        s -> s.sandboxWait(SandboxWaitRequest.newBuilder()
                                .setSandboxId(sandboxId)
                                .setTimeout(0)
                                .build()))
                .getResult();
        return result.getStatusValue() == 0 ? Optional.empty() : Optional.of(result);
    }

    /** Snapshots the sandbox's filesystem into a new image (persistent, billed); not retried, as each makes one. */
    String snapshot(String sandboxId) {
        SandboxSnapshotFsResponse answer = rpc.unary(
                "SandboxSnapshotFs",
                false,
                stub,
                SERVER_WAIT_DEADLINE,
                true,
                s -> s.sandboxSnapshotFs(SandboxSnapshotFsRequest.newBuilder()
                        .setSandboxId(sandboxId)
                        .setTimeout(SERVER_WAIT_SECONDS)
                        .build()));
        requireSuccess("SandboxSnapshotFs", "snapshot sandbox " + sandboxId, answer.getResult());
        if (answer.getImageId().isBlank()) {
            throw ModalRpc.badAnswer("SandboxSnapshotFs", "without an image id");
        }
        return answer.getImageId();
    }

    /** Terminates a sandbox; one Modal does not know is already gone. */
    void terminate(String sandboxId) {
        ignoringNotFound(() -> rpc.unary(
                "SandboxTerminate",
                true,
                stub,
                s -> s.sandboxTerminate(SandboxTerminateRequest.newBuilder()
                        .setSandboxId(sandboxId)
                        .build())));
    }

    /** Deletes an image; one Modal does not know is already gone. */
    void deleteImage(String imageId) {
        ignoringNotFound(() -> rpc.unary(
                "ImageDelete",
                true,
                stub,
                s -> s.imageDelete(
                        ImageDeleteRequest.newBuilder().setImageId(imageId).build())));
    }

    /** Whether a typed failure was Modal's NOT_FOUND. */
    static boolean notFound(RuntimeException e) {
        return e.getCause() instanceof StatusRuntimeException failure && ModalRpc.is(failure, Status.Code.NOT_FOUND);
    }

    private static void ignoringNotFound(Runnable call) {
        try {
            call.run();
        } catch (ProviderErrorException e) {
            if (!notFound(e)) {
                throw e;
            }
        }
    }

    private static void requireSuccess(String op, String what, GenericResult result) {
        switch (result.getStatus()) {
            case GENERIC_STATUS_SUCCESS -> {}
            case UNRECOGNIZED ->
                throw ModalRpc.badAnswer(
                        op, "with a result status Perimeter does not know (" + result.getStatusValue() + ")");
            case GENERIC_STATUS_UNSPECIFIED -> throw ModalRpc.badAnswer(op, "without a result status");
            default ->
                throw new ProviderErrorException(
                        ModalRpc.PROVIDER,
                        "Provider 'modal' could not " + what + " (" + result.getStatus() + ")"
                                + (result.getException().isBlank() ? "" : ": " + result.getException()),
                        null);
        }
    }

    private static List<SandboxTag> tags(Map<String, String> tags) {
        return tags.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(tag -> SandboxTag.newBuilder()
                        .setTagName(tag.getKey())
                        .setTagValue(tag.getValue())
                        .build())
                .toList();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException(ModalRpc.PROVIDER, "Interrupted while waiting for Modal", e);
        }
    }
}
