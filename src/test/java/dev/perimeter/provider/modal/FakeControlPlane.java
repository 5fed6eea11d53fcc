package dev.perimeter.provider.modal;

import com.google.protobuf.Empty;
import dev.perimeter.provider.modal.FakeModal.FakeImage;
import dev.perimeter.provider.modal.FakeModal.FakeSandbox;
import dev.perimeter.provider.modal.api.AppGetOrCreateRequest;
import dev.perimeter.provider.modal.api.AppGetOrCreateResponse;
import dev.perimeter.provider.modal.api.AuthTokenGetRequest;
import dev.perimeter.provider.modal.api.AuthTokenGetResponse;
import dev.perimeter.provider.modal.api.GPUConfig;
import dev.perimeter.provider.modal.api.GenericResult;
import dev.perimeter.provider.modal.api.GenericResult.GenericStatus;
import dev.perimeter.provider.modal.api.ImageDeleteRequest;
import dev.perimeter.provider.modal.api.ImageGetOrCreateRequest;
import dev.perimeter.provider.modal.api.ImageGetOrCreateResponse;
import dev.perimeter.provider.modal.api.ImageJoinStreamingRequest;
import dev.perimeter.provider.modal.api.ImageJoinStreamingResponse;
import dev.perimeter.provider.modal.api.ModalClientGrpc;
import dev.perimeter.provider.modal.api.NetworkAccess;
import dev.perimeter.provider.modal.api.ObjectCreationType;
import dev.perimeter.provider.modal.api.Sandbox;
import dev.perimeter.provider.modal.api.SandboxCreateRequest;
import dev.perimeter.provider.modal.api.SandboxCreateResponse;
import dev.perimeter.provider.modal.api.SandboxGetTaskIdRequest;
import dev.perimeter.provider.modal.api.SandboxGetTaskIdResponse;
import dev.perimeter.provider.modal.api.SandboxInfo;
import dev.perimeter.provider.modal.api.SandboxListRequest;
import dev.perimeter.provider.modal.api.SandboxListResponse;
import dev.perimeter.provider.modal.api.SandboxSnapshotFsRequest;
import dev.perimeter.provider.modal.api.SandboxSnapshotFsResponse;
import dev.perimeter.provider.modal.api.SandboxTag;
import dev.perimeter.provider.modal.api.SandboxTerminateRequest;
import dev.perimeter.provider.modal.api.SandboxTerminateResponse;
import dev.perimeter.provider.modal.api.SandboxWaitRequest;
import dev.perimeter.provider.modal.api.SandboxWaitResponse;
import dev.perimeter.provider.modal.api.SecretGetOrCreateRequest;
import dev.perimeter.provider.modal.api.SecretGetOrCreateResponse;
import dev.perimeter.provider.modal.api.TaskGetCommandRouterAccessRequest;
import dev.perimeter.provider.modal.api.TaskGetCommandRouterAccessResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The fake's {@code modal.client.ModalClient}: validates requests as Modal would and keeps the state. */
final class FakeControlPlane extends ModalClientGrpc.ModalClientImplBase {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern GPU_TYPE = Pattern.compile("[A-Z0-9][A-Z0-9-]*");
    private static final int PAGE = 2;

    private final FakeModal modal;

    FakeControlPlane(FakeModal modal) {
        this.modal = modal;
    }

    @Override
    public void authTokenGet(AuthTokenGetRequest request, StreamObserver<AuthTokenGetResponse> answer) {
        respond(answer, () -> {
            String token = FakeModal.jwt("control");
            modal.controlTokens.add(token);
            return AuthTokenGetResponse.newBuilder().setToken(token).build();
        });
    }

    @Override
    public void appGetOrCreate(AppGetOrCreateRequest request, StreamObserver<AppGetOrCreateResponse> answer) {
        respond(answer, () -> {
            require(NAME.matcher(request.getAppName()).matches(), "Invalid app name");
            String id = modal.apps.get(request.getAppName());
            if (id == null) {
                if (request.getObjectCreationType() != ObjectCreationType.OBJECT_CREATION_TYPE_CREATE_IF_MISSING) {
                    throw Status.NOT_FOUND
                            .withDescription("App '" + request.getAppName() + "' not found")
                            .asRuntimeException();
                }
                id = modal.apps.computeIfAbsent(request.getAppName(), n -> FakeModal.id("ap"));
            }
            return AppGetOrCreateResponse.newBuilder().setAppId(id).build();
        });
    }

    @Override
    public void secretGetOrCreate(SecretGetOrCreateRequest request, StreamObserver<SecretGetOrCreateResponse> answer) {
        respond(answer, () -> {
            require(
                    request.getObjectCreationType() == ObjectCreationType.OBJECT_CREATION_TYPE_EPHEMERAL,
                    "Anonymous secrets must be ephemeral");
            require(request.getEnvDictCount() > 0, "A secret needs at least one key");
            String id = FakeModal.id("st");
            modal.secrets.put(id, Map.copyOf(request.getEnvDictMap()));
            return SecretGetOrCreateResponse.newBuilder().setSecretId(id).build();
        });
    }

    @Override
    public void imageGetOrCreate(ImageGetOrCreateRequest request, StreamObserver<ImageGetOrCreateResponse> answer) {
        respond(answer, () -> {
            requireApp(request.getAppId());
            require(!request.getBuilderVersion().isBlank(), "builder_version is required");
            List<String> commands = request.getImage().getDockerfileCommandsList();
            require(!commands.isEmpty() && commands.getFirst().startsWith("FROM "), "An image starts with FROM");
            String id = FakeModal.id("im");
            modal.images.put(id, new FakeImage(id, null));
            return ImageGetOrCreateResponse.newBuilder().setImageId(id).build();
        });
    }

    @Override
    public void imageJoinStreaming(
            ImageJoinStreamingRequest request, StreamObserver<ImageJoinStreamingResponse> answer) {
        if (!modal.images.containsKey(request.getImageId())) {
            answer.onError(Status.NOT_FOUND.withDescription("Image not found").asRuntimeException());
            return;
        }
        if (request.getTimeout() <= 0) {
            answer.onError(
                    Status.INVALID_ARGUMENT.withDescription("timeout required").asRuntimeException());
            return;
        }
        answer.onNext(ImageJoinStreamingResponse.newBuilder().setEntryId("1-0").build());
        answer.onNext(ImageJoinStreamingResponse.newBuilder()
                .setEntryId("2-0")
                .setResult(GenericResult.newBuilder().setStatusValue(modal.imageBuildStatus))
                .setEof(true)
                .build());
        answer.onCompleted();
    }

    @Override
    public void imageDelete(ImageDeleteRequest request, StreamObserver<Empty> answer) {
        respond(answer, () -> {
            FakeImage image = modal.images.remove(request.getImageId());
            if (image == null) {
                throw Status.NOT_FOUND.withDescription("Image not found").asRuntimeException();
            }
            if (image.files() != null) {
                delete(image.files());
            }
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void sandboxCreate(SandboxCreateRequest request, StreamObserver<SandboxCreateResponse> answer) {
        respond(answer, () -> {
            modal.creates.add(request);
            SandboxCreateResponse response;
            try {
                response = create(request);
            } finally {
                stall();
            }
            return response;
        });
    }

    private SandboxCreateResponse create(SandboxCreateRequest request) {
        requireApp(request.getAppId());
        Sandbox definition = request.getDefinition();
        validate(definition);
        String name = definition.getName();
        synchronized (modal) {
            boolean taken = modal.sandboxes.values().stream()
                    .anyMatch(s -> !s.terminated && s.appId.equals(request.getAppId()) && s.name.equals(name));
            if (taken) {
                throw Status.ALREADY_EXISTS
                        .withDescription("Sandbox with name '" + name + "' already exists")
                        .asRuntimeException();
            }
            String id = FakeModal.id("sb");
            Path dir = modal.root.resolve(id);
            FakeImage image = modal.images.get(definition.getImageId());
            copy(image.files(), dir);
            Map<String, String> env = new HashMap<>();
            definition.getSecretIdsList().forEach(secret -> env.putAll(modal.secrets.get(secret)));
            Map<String, String> tags = request.getTagsList().stream()
                    .collect(Collectors.toMap(SandboxTag::getTagName, SandboxTag::getTagValue));
            modal.sandboxes.put(
                    id,
                    new FakeSandbox(
                            id,
                            request.getAppId(),
                            name,
                            dir,
                            definition.getWorkdir(),
                            tags,
                            env,
                            modal.nextTimestamp()));
            return SandboxCreateResponse.newBuilder()
                    .setSandboxId(modal.createWithoutSandboxId ? "" : id)
                    .build();
        }
    }

    private void stall() {
        if (modal.createStall != null) {
            try {
                Thread.sleep(modal.createStall);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void validate(Sandbox definition) {
        require(NAME.matcher(definition.getName()).matches(), "Invalid sandbox name");
        FakeImage image = modal.images.get(definition.getImageId());
        require(image != null, "Image " + definition.getImageId() + " not found");
        definition.getSecretIdsList().forEach(secret -> require(modal.secrets.containsKey(secret), "No such secret"));
        require(definition.getResources().getMilliCpu() >= 125, "milli_cpu must be at least 125");
        require(definition.getResources().getMemoryMb() >= 128, "memory_mb must be at least 128");
        if (definition.getResources().hasGpuConfig()) {
            GPUConfig gpu = definition.getResources().getGpuConfig();
            require(GPU_TYPE.matcher(gpu.getGpuType()).matches(), "Invalid GPU type '" + gpu.getGpuType() + "'");
            require(gpu.getCount() >= 1, "GPU count must be at least 1");
        }
        require(
                definition.getTimeoutSecs() >= 1 && definition.getTimeoutSecs() <= 86_400,
                "timeout_secs must be between 1 and 86400");
        require(definition.hasWorkdir() && definition.getWorkdir().startsWith("/"), "workdir must be absolute");
        NetworkAccess network = definition.getNetworkAccess();
        require(
                network.getNetworkAccessType() != NetworkAccess.NetworkAccessType.UNSPECIFIED
                        && network.getNetworkAccessType() != NetworkAccess.NetworkAccessType.UNRECOGNIZED,
                "network_access_type is required");
        if (network.getNetworkAccessType() == NetworkAccess.NetworkAccessType.ALLOWLIST) {
            require(network.getAllowedCidrsCount() + network.getAllowedDomainsCount() > 0, "Empty allowlist");
            network.getAllowedCidrsList().forEach(cidr -> require(cidr.contains("/"), "Invalid CIDR " + cidr));
        } else {
            require(
                    network.getAllowedCidrsCount() + network.getAllowedDomainsCount() == 0,
                    "Allowlist entries need ALLOWLIST");
        }
        if (definition.hasSchedulerPlacement()) {
            definition
                    .getSchedulerPlacement()
                    .getRegionsList()
                    .forEach(region -> require(FakeModal.REGIONS.contains(region), "Unknown region '" + region + "'"));
        }
    }

    @Override
    public void sandboxGetTaskId(SandboxGetTaskIdRequest request, StreamObserver<SandboxGetTaskIdResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = sandbox(request.getSandboxId());
            if (sandbox.terminated) {
                return SandboxGetTaskIdResponse.newBuilder()
                        .setTaskResult(GenericResult.newBuilder().setStatus(GenericStatus.GENERIC_STATUS_TERMINATED))
                        .build();
            }
            return SandboxGetTaskIdResponse.newBuilder()
                    .setTaskId(sandbox.taskId)
                    .build();
        });
    }

    @Override
    public void taskGetCommandRouterAccess(
            TaskGetCommandRouterAccessRequest request, StreamObserver<TaskGetCommandRouterAccessResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = modal.sandboxes.values().stream()
                    .filter(s -> s.taskId.equals(request.getTaskId()) && !s.terminated)
                    .findFirst()
                    .orElseThrow(() ->
                            Status.NOT_FOUND.withDescription("Task not found").asRuntimeException());
            String token = FakeModal.jwt(sandbox.taskId);
            modal.routerTokens.put(token, sandbox.taskId);
            return TaskGetCommandRouterAccessResponse.newBuilder()
                    .setJwt(token)
                    .setUrl(FakeModal.ROUTER_URL)
                    .build();
        });
    }

    @Override
    public void sandboxList(SandboxListRequest request, StreamObserver<SandboxListResponse> answer) {
        respond(answer, () -> {
            requireApp(request.getAppId());
            Map<String, String> wanted = request.getTagsList().stream()
                    .collect(Collectors.toMap(SandboxTag::getTagName, SandboxTag::getTagValue));
            List<SandboxInfo> page = modal.sandboxes.values().stream()
                    .filter(s -> s.appId.equals(request.getAppId()))
                    .filter(s -> request.getIncludeFinished() || !s.terminated)
                    .filter(s -> request.getBeforeTimestamp() == 0 || s.createdAt < request.getBeforeTimestamp())
                    .filter(s -> s.tags.entrySet().containsAll(wanted.entrySet()))
                    .sorted(Comparator.comparingDouble((FakeSandbox s) -> s.createdAt)
                            .reversed())
                    .limit(PAGE)
                    .map(s -> SandboxInfo.newBuilder()
                            .setId(s.id)
                            .setAppId(s.appId)
                            .setName(s.name)
                            .setCreatedAt(s.createdAt)
                            .addAllTags(s.tags.entrySet().stream()
                                    .map(tag -> SandboxTag.newBuilder()
                                            .setTagName(tag.getKey())
                                            .setTagValue(tag.getValue())
                                            .build())
                                    .toList())
                            .build())
                    .toList();
            return SandboxListResponse.newBuilder().addAllSandboxes(page).build();
        });
    }

    @Override
    public void sandboxSnapshotFs(SandboxSnapshotFsRequest request, StreamObserver<SandboxSnapshotFsResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = sandbox(request.getSandboxId());
            if (sandbox.terminated) {
                throw Status.FAILED_PRECONDITION
                        .withDescription("Sandbox has finished")
                        .asRuntimeException();
            }
            String id = FakeModal.id("im");
            Path files = modal.root.resolve(id);
            copy(sandbox.dir, files);
            modal.images.put(id, new FakeImage(id, files));
            return SandboxSnapshotFsResponse.newBuilder()
                    .setImageId(id)
                    .setResult(GenericResult.newBuilder().setStatus(GenericStatus.GENERIC_STATUS_SUCCESS))
                    .build();
        });
    }

    @Override
    public void sandboxTerminate(SandboxTerminateRequest request, StreamObserver<SandboxTerminateResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = sandbox(request.getSandboxId());
            SandboxTerminateResponse.Builder response = SandboxTerminateResponse.newBuilder();
            if (sandbox.terminated) {
                response.setExistingResult(
                        GenericResult.newBuilder().setStatus(GenericStatus.GENERIC_STATUS_TERMINATED));
            }
            sandbox.terminated = true;
            modal.execs.values().stream()
                    .filter(exec -> exec.taskId.equals(sandbox.taskId))
                    .forEach(FakeExec::kill);
            return response.build();
        });
    }

    @Override
    public void sandboxWait(SandboxWaitRequest request, StreamObserver<SandboxWaitResponse> answer) {
        respond(answer, () -> {
            FakeSandbox sandbox = sandbox(request.getSandboxId());
            require(request.getTimeout() >= 0, "timeout must not be negative");
            SandboxWaitResponse.Builder response = SandboxWaitResponse.newBuilder();
            if (sandbox.terminated) {
                response.setResult(GenericResult.newBuilder().setStatus(GenericStatus.GENERIC_STATUS_TERMINATED));
            }
            return response.build();
        });
    }

    private FakeSandbox sandbox(String id) {
        FakeSandbox sandbox = modal.sandboxes.get(id);
        if (sandbox == null) {
            throw Status.NOT_FOUND
                    .withDescription("Sandbox " + id + " not found")
                    .asRuntimeException();
        }
        return sandbox;
    }

    private void requireApp(String appId) {
        require(modal.apps.containsValue(appId), "App " + appId + " not found");
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
        }
    }

    static <T> void respond(StreamObserver<T> answer, Supplier<T> handler) {
        T response;
        try {
            response = handler.get();
        } catch (StatusRuntimeException e) {
            answer.onError(e);
            return;
        }
        answer.onNext(response);
        answer.onCompleted();
    }

    private static void copy(java.nio.file.@org.jspecify.annotations.Nullable Path from, Path to) {
        try {
            Files.createDirectories(to);
            if (from == null) {
                return;
            }
            try (Stream<Path> tree = Files.walk(from)) {
                for (Path source : tree.toList()) {
                    Path target = to.resolve(from.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> tree = Files.walk(dir)) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
