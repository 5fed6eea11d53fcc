package dev.perimeter.provider.modal;

import dev.perimeter.provider.modal.api.SandboxCreateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Modal for tests: the control plane ({@code modal.client.ModalClient}) and a task command router on two in-process
 * gRPC servers, speaking the messages of {@code src/main/proto} and keeping sandboxes (a temporary directory each),
 * images (snapshots are copies of that directory), secrets and running commands. It is strict: every control-plane
 * call must carry the client metadata, the token id and secret and (but {@code AuthTokenGet}) a JWT it issued; every
 * router call a router JWT it issued and no Modal token; requests with missing or wrong fields are refused as Modal
 * would. Faults are switched on per test through {@link #faults()} and the fields below.
 */
public final class FakeModal implements AutoCloseable {

    public static final String TOKEN_ID = "ak-FakeModalTokenId42";
    public static final String TOKEN_SECRET = "as-FakeModalTokenSecret-0123456789";
    public static final String SERVER_URL = "https://api.fake-modal:443";
    static final String ROUTER_URL = "https://router.fake-modal:443";
    static final Set<String> REGIONS = Set.of("us-east", "us-west", "eu-west", "ap-south");

    static final Metadata.Key<String> CLIENT_TYPE = ModalAuth.CLIENT_TYPE;
    static final Metadata.Key<String> CLIENT_VERSION = ModalAuth.CLIENT_VERSION;
    static final Metadata.Key<String> TOKEN_ID_KEY = ModalAuth.TOKEN_ID;
    static final Metadata.Key<String> TOKEN_SECRET_KEY = ModalAuth.TOKEN_SECRET;
    static final Metadata.Key<String> AUTH_TOKEN = ModalAuth.AUTH_TOKEN;
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** A sandbox: its definition, directory, tags and whether it was terminated. */
    static final class FakeSandbox {
        final String id;
        final String appId;
        final String name;
        final String taskId;
        final Path dir;
        final String workdir;
        final Map<String, String> tags;
        final Map<String, String> env;
        final double createdAt;
        volatile boolean terminated;

        FakeSandbox(
                String id,
                String appId,
                String name,
                Path dir,
                String workdir,
                Map<String, String> tags,
                Map<String, String> env,
                double createdAt) {
            this.id = id;
            this.appId = appId;
            this.name = name;
            this.taskId = "ta-" + id.substring(3);
            this.dir = dir;
            this.workdir = workdir;
            this.tags = Map.copyOf(tags);
            this.env = Map.copyOf(env);
            this.createdAt = createdAt;
        }
    }

    /** An image: a base (no files) or a snapshot (a directory). */
    record FakeImage(String id, @Nullable Path files) {}

    final Path root;
    final Map<String, String> apps = new ConcurrentHashMap<>();
    final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();
    final Map<String, FakeImage> images = new ConcurrentHashMap<>();
    final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
    final Map<String, FakeExec> execs = new ConcurrentHashMap<>();
    final Set<String> controlTokens = ConcurrentHashMap.newKeySet();
    final Map<String, String> routerTokens = new ConcurrentHashMap<>();
    final List<SandboxCreateRequest> creates = java.util.Collections.synchronizedList(new ArrayList<>());
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger clock = new AtomicInteger();
    private final FakeFaults faults = new FakeFaults();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String name = "fake-modal-" + UUID.randomUUID();
    private final Server control;
    private final Server router;

    /** Every SandboxCreate answers this late (after creating the sandbox); {@code null} for at once. */
    volatile @Nullable Duration createStall;
    /** SandboxCreate answers without a sandbox id. */
    volatile boolean createWithoutSandboxId;
    /** The status number ImageJoinStreaming reports (1 = SUCCESS). */
    volatile int imageBuildStatus = 1;
    /** How many stdout streams break (UNAVAILABLE) after {@link #stdioBreakAfter} bytes. */
    final AtomicInteger stdioBreaks = new AtomicInteger();
    /** Bytes a breaking stdio stream sends before it breaks. */
    volatile int stdioBreakAfter;
    /** TaskExecWait answers with neither a code nor a signal. */
    volatile boolean waitWithoutExit;

    public FakeModal() {
        try {
            root = Files.createTempDirectory("fake-modal-");
            control = InProcessServerBuilder.forName(name)
                    .executor(executor)
                    .addService(ServerInterceptors.intercept(new FakeControlPlane(this), controlAuth(), faults))
                    .build()
                    .start();
            router = InProcessServerBuilder.forName(name + "-router")
                    .executor(executor)
                    .addService(ServerInterceptors.intercept(new FakeRouter(this), routerAuth(), faults))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Channels that reach this fake's servers for the URLs it hands out, over the in-process transport. */
    public ModalChannels channels() {
        return (URI target) -> {
            if (!"https".equals(target.getScheme())) {
                throw new IllegalArgumentException("Modal URLs are https: " + target);
            }
            return switch (target.getHost()) {
                case "api.fake-modal" -> channel(name);
                case "router.fake-modal" -> channel(name + "-router");
                default -> throw new IllegalArgumentException("No fake Modal at " + target);
            };
        };
    }

    private static ManagedChannel channel(String server) {
        return InProcessChannelBuilder.forName(server).directExecutor().build();
    }

    /** Per-method call counts and injected failures. */
    FakeFaults faults() {
        return faults;
    }

    /** Calls refused for missing or wrong credentials. */
    public int rejectedCalls() {
        return rejected.get();
    }

    /** Every SandboxCreate from now on answers {@code stall} late, after creating the sandbox. */
    public void answerCreatesLate(@Nullable Duration stall) {
        this.createStall = stall;
    }

    /** The next {@code times} calls of {@code method} (a bare name such as {@code SandboxCreate}) fail so. */
    public void failNext(String method, int times, Status status) {
        faults.failNext(method, times, status, null);
    }

    /** The GPUs SandboxCreate requests asked for, as {@code TYPE:N}, oldest first. */
    public List<String> gpuRequests() {
        synchronized (creates) {
            return creates.stream()
                    .filter(create -> create.getDefinition().getResources().hasGpuConfig())
                    .map(create -> create.getDefinition().getResources().getGpuConfig())
                    .map(gpu -> gpu.getGpuType() + ":" + gpu.getCount())
                    .toList();
        }
    }

    /** Sandboxes not terminated. */
    public long runningSandboxes() {
        return sandboxes.values().stream().filter(s -> !s.terminated).count();
    }

    /** The Perimeter sandbox ids (by tag) of the sandboxes not terminated. */
    public List<String> runningSandboxIds() {
        return sandboxes.values().stream()
                .filter(s -> !s.terminated)
                .map(s -> s.tags.getOrDefault(ModalSandboxProvider.SANDBOX_TAG, "?"))
                .toList();
    }

    /** Strictly increasing creation times, so pages by {@code before_timestamp} never tie. */
    double nextTimestamp() {
        return Instant.now().getEpochSecond() + clock.incrementAndGet() / 1000.0;
    }

    /** A JWT-shaped token expiring in an hour. */
    static String jwt(String subject) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = encoder.encodeToString(("{\"sub\":\"" + subject + "\",\"exp\":"
                        + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "}")
                .getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + "."
                + encoder.encodeToString(UUID.randomUUID().toString().getBytes());
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private ServerInterceptor controlAuth() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                if (!TOKEN_ID.equals(headers.get(TOKEN_ID_KEY))
                        || !TOKEN_SECRET.equals(headers.get(TOKEN_SECRET_KEY))) {
                    return reject(call, Status.UNAUTHENTICATED.withDescription("Token missing or invalid"));
                }
                if (headers.get(CLIENT_TYPE) == null || headers.get(CLIENT_VERSION) == null) {
                    return reject(call, Status.FAILED_PRECONDITION.withDescription("Unknown client"));
                }
                boolean tokenCall =
                        "AuthTokenGet".equals(call.getMethodDescriptor().getBareMethodName());
                if (!tokenCall && !controlTokens.contains(String.valueOf(headers.get(AUTH_TOKEN)))) {
                    return reject(call, Status.UNAUTHENTICATED.withDescription("Auth token missing or invalid"));
                }
                return next.startCall(call, headers);
            }
        };
    }

    private ServerInterceptor routerAuth() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String authorization = String.valueOf(headers.get(AUTHORIZATION));
                if (!authorization.startsWith("Bearer ")
                        || !routerTokens.containsKey(authorization.substring("Bearer ".length()))) {
                    return reject(call, Status.UNAUTHENTICATED.withDescription("Invalid router token"));
                }
                if (headers.get(TOKEN_SECRET_KEY) != null || headers.get(TOKEN_ID_KEY) != null) {
                    return reject(call, Status.PERMISSION_DENIED.withDescription("Modal tokens sent to a router"));
                }
                return next.startCall(call, headers);
            }
        };
    }

    private <Q, A> ServerCall.Listener<Q> reject(ServerCall<Q, A> call, Status status) {
        rejected.incrementAndGet();
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    @Override
    public void close() {
        execs.values().forEach(FakeExec::kill);
        control.shutdownNow();
        router.shutdownNow();
        executor.shutdownNow();
        timer.shutdownNow();
        try (Stream<Path> tree = Files.walk(root)) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
