package dev.perimeter.provider.modal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.modal.api.AppGetOrCreateRequest;
import dev.perimeter.provider.modal.api.ModalClientGrpc;
import dev.perimeter.provider.modal.api.TaskCommandRouterGrpc;
import dev.perimeter.provider.modal.api.TaskExecWaitRequest;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PerimeterException;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Modal's failures, injected into the in-process fake, end in the right typed problem: transient ones (UNAVAILABLE,
 * the connection-reset analogue; INTERNAL, the 500 analogue; RESOURCE_EXHAUSTED with retry info, the 429 analogue; a
 * deadline past the client timeout) in 503 with {@code Retry-After} after retrying idempotent calls only; refusals
 * and garbled answers in 502 with Modal's description; never a credential, never a hang.
 */
class ModalProviderFaultTests {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(1);

    private FakeModal fake;
    private ModalSandboxProvider provider;

    @BeforeEach
    void start() {
        fake = new FakeModal();
        provider = connect(ModalTestSupport.properties(CLIENT_TIMEOUT, null, List.of()));
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
        fake.close();
    }

    private ModalSandboxProvider connect(ModalProviderProperties properties) {
        return ModalSandboxProvider.connect(properties, fake.channels());
    }

    @Test
    void unavailableIsRetriedForAnIdempotentCreate() {
        fake.faults()
                .failNext("SandboxCreate", 2, Status.UNAVAILABLE.withDescription("connection reset by peer"), null);

        String ref = provider.create(spec()).providerRef();

        assertThat(fake.faults().calls("SandboxCreate")).isEqualTo(3);
        assertThat(provider.status(ref)).isEqualTo(dev.perimeter.provider.SandboxStatus.RUNNING);
    }

    @Test
    void unavailableEveryTimeIs503WithRetryAfterAfterAllAttempts() {
        fake.faults()
                .failNext("SandboxCreate", 10, Status.UNAVAILABLE.withDescription("connection reset by peer"), null);

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertTransient(e, "5");
                    assertThat(e.getMessage()).contains("UNAVAILABLE").contains("connection reset by peer");
                });
        assertThat(fake.faults().calls("SandboxCreate")).isEqualTo(4);
    }

    @Test
    void internalIsRetriedThen503() {
        fake.faults().failNext("SandboxList", 10, Status.INTERNAL.withDescription("internal server error"), null);

        assertThatThrownBy(() -> provider.listManaged())
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertTransient(e, "5");
                    assertThat(e.getMessage()).contains("INTERNAL").contains("internal server error");
                });
        assertThat(fake.faults().calls("SandboxList")).isEqualTo(4);
    }

    @Test
    void resourceExhaustedWaitsTheDelayModalAsksFor() {
        fake.faults()
                .failNext(
                        "SandboxList",
                        1,
                        Status.RESOURCE_EXHAUSTED.withDescription("rate limited"),
                        Duration.ofSeconds(1));
        long started = System.nanoTime();

        assertThat(provider.listManaged()).isEmpty();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(fake.faults().calls("SandboxList")).isEqualTo(2);
    }

    @Test
    void resourceExhaustedWithALongDelayIs503CarryingIt() {
        fake.faults()
                .failNext(
                        "SandboxList",
                        1,
                        Status.RESOURCE_EXHAUSTED.withDescription("rate limited"),
                        Duration.ofSeconds(60));

        assertThatThrownBy(() -> provider.listManaged())
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertTransient(e, "60");
                    assertThat(e.getMessage()).contains("rate limited");
                });
        assertThat(fake.faults().calls("SandboxList")).isEqualTo(1);
    }

    @Test
    void aSnapshotIsNotRetriedBecauseEachMakesAnImage() {
        String ref = provider.create(spec()).providerRef();
        fake.faults().failNext("SandboxSnapshotFs", 1, Status.UNAVAILABLE.withDescription("connection reset"), null);

        assertThatThrownBy(() -> provider.snapshot(ref, Ids.next("snap")))
                .isInstanceOf(ProviderUnavailableException.class);
        assertThat(fake.faults().calls("SandboxSnapshotFs")).isEqualTo(1);
    }

    @Test
    void aCallPastTheClientDeadlineIs503() {
        fake.faults().stallNext("AppGetOrCreate", 10, CLIENT_TIMEOUT.plusSeconds(2));
        long started = System.nanoTime();

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertTransient(e, "5");
                    assertThat(e.getMessage()).contains("did not answer AppGetOrCreate in time");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(fake.faults().calls("AppGetOrCreate")).isEqualTo(4);
    }

    @Test
    void aRefusalIs502WithModalsDescriptionAndIsNotRetried() {
        fake.faults()
                .failNext(
                        "SandboxCreate", 1, Status.INVALID_ARGUMENT.withDescription("Invalid GPU type 'H9000'"), null);

        assertThatThrownBy(() -> provider.create(spec())).isInstanceOfSatisfying(ProviderErrorException.class, e -> {
            assertThat(e.getStatusCode().value()).isEqualTo(502);
            assertThat(e.getMessage()).contains("INVALID_ARGUMENT").contains("Invalid GPU type 'H9000'");
            assertNoCredentials(e);
        });
        assertThat(fake.faults().calls("SandboxCreate")).isEqualTo(1);
    }

    @Test
    void aDescriptionEchoingACredentialIsRedacted() {
        fake.faults()
                .failNext(
                        "SandboxCreate",
                        1,
                        Status.PERMISSION_DENIED.withDescription("token " + FakeModal.TOKEN_SECRET + " lacks scope"),
                        null);

        assertThatThrownBy(() -> provider.create(spec())).isInstanceOfSatisfying(ProviderErrorException.class, e -> {
            assertThat(e.getMessage()).contains("[redacted]").contains("lacks scope");
            assertNoCredentials(e);
        });
    }

    @Test
    void anAnswerWithoutASandboxIdIs502() {
        fake.createWithoutSandboxId = true;

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.getMessage())
                        .contains("SandboxCreate without a sandbox id"));
    }

    @Test
    void anImageStatusPerimeterDoesNotKnowIs502() {
        fake.imageBuildStatus = 99;

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.getMessage())
                        .contains("result status Perimeter does not know (99)"));
    }

    @Test
    void aFailedImageBuildIs502() {
        fake.imageBuildStatus = 2;

        assertThatThrownBy(() -> provider.create(spec()))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.getMessage())
                        .contains("could not build the image FROM debian:bookworm-slim"));
    }

    @Test
    void anExitWithoutCodeOrSignalIs502() {
        String ref = provider.create(spec()).providerRef();
        fake.waitWithoutExit = true;

        assertThatThrownBy(() -> provider.exec(ref, exec("echo", "hi"), ExecOutput.DISCARD))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.getMessage())
                        .contains("without an exit code or a signal"));
    }

    @Test
    void aStdioStreamThatBreaksIsResumedAtItsOffset() {
        String ref = provider.create(spec()).providerRef();
        fake.stdioBreakAfter = 7;
        fake.stdioBreaks.set(3);

        ExecResult result = provider.exec(ref, exec("sh", "-c", "seq 1 2000"), ExecOutput.DISCARD);

        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            expected.append(i).append('\n');
        }
        assertThat(new String(result.stdout())).isEqualTo(expected.toString());
        assertThat(fake.faults().calls("TaskExecStdioRead")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aStdioStreamThatKeepsDyingEndsTheExecWith503NotAHang() {
        String ref = provider.create(spec()).providerRef();
        fake.stdioBreakAfter = 0;
        fake.stdioBreaks.set(1000);

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                        () -> provider.exec(ref, exec("sh", "-c", "echo start; sleep 30"), ExecOutput.DISCARD))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains("output stream from Modal broke");
                    assertNoCredentials(e);
                }));
    }

    @Test
    void aFailingProviderOpensTheBreakerAndAnswersFast() {
        fake.faults().failNext("SandboxList", 100, Status.UNAVAILABLE.withDescription("down"), null);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> provider.listManaged()).isInstanceOf(ProviderUnavailableException.class);
        }
        int callsBefore = fake.faults().calls("SandboxList");

        assertThatThrownBy(() -> provider.listManaged())
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains("calls are paused"));
        assertThat(fake.faults().calls("SandboxList")).isEqualTo(callsBefore);
    }

    @Test
    void wrongTokensAreRefusedAndNeverEchoed() throws Exception {
        ModalProviderProperties good = ModalTestSupport.properties(CLIENT_TIMEOUT, null, List.of());
        ModalProviderProperties wrong = new ModalProviderProperties(
                FakeModal.TOKEN_ID,
                "as-WrongSecret-9876543210",
                good.serverUrl(),
                good.appName(),
                good.environment(),
                good.regions(),
                good.gpu(),
                good.timeout(),
                good.image(),
                good.requestTimeout(),
                good.maxAttempts(),
                good.initialBackoff(),
                good.maxRetryAfter());
        try (ModalSandboxProvider impostor = connect(wrong)) {
            assertThatThrownBy(() -> impostor.create(spec()))
                    .isInstanceOfSatisfying(ProviderErrorException.class, e -> {
                        assertThat(e.getMessage()).contains("UNAUTHENTICATED");
                        assertThat(e.getMessage()).doesNotContain("as-WrongSecret-9876543210");
                    });
        }
        assertThat(fake.rejectedCalls()).isPositive();
    }

    @Test
    void callsWithoutTheAuthMetadataAreRejected() {
        ManagedChannel channel = fake.channels().open(URI.create(FakeModal.SERVER_URL));
        try {
            var bare = ModalClientGrpc.newBlockingStub(channel);
            AppGetOrCreateRequest request =
                    AppGetOrCreateRequest.newBuilder().setAppName("x").build();
            assertThatThrownBy(() -> bare.appGetOrCreate(request))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

            Metadata tokensOnly = new Metadata();
            tokensOnly.put(ModalAuth.CLIENT_TYPE, "9");
            tokensOnly.put(ModalAuth.CLIENT_VERSION, "1.0.0");
            tokensOnly.put(ModalAuth.TOKEN_ID, FakeModal.TOKEN_ID);
            tokensOnly.put(ModalAuth.TOKEN_SECRET, FakeModal.TOKEN_SECRET);
            assertThatThrownBy(() -> bare.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(tokensOnly))
                            .appGetOrCreate(request))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getDescription()).isEqualTo("Auth token missing or invalid"));
        } finally {
            channel.shutdownNow();
        }
        ManagedChannel router = fake.channels().open(URI.create(FakeModal.ROUTER_URL));
        try {
            assertThatThrownBy(() -> TaskCommandRouterGrpc.newBlockingStub(router)
                            .taskExecWait(TaskExecWaitRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        } finally {
            router.shutdownNow();
        }
        assertThat(fake.rejectedCalls()).isEqualTo(3);
    }

    @Test
    void theJwtIsFetchedOnceAndSentOnEveryLaterCall() {
        String ref = provider.create(spec()).providerRef();
        provider.exec(ref, exec("true"), ExecOutput.DISCARD);
        provider.listManaged();

        assertThat(fake.faults().calls("AuthTokenGet")).isEqualTo(1);
        assertThat(fake.rejectedCalls()).isZero();
    }

    private static void assertTransient(ProviderUnavailableException e, String retryAfter) {
        assertThat(e.getStatusCode().value()).isEqualTo(503);
        assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo(retryAfter);
        assertNoCredentials(e);
    }

    private static void assertNoCredentials(PerimeterException e) {
        String everything = e.getMessage() + " " + e.getBody();
        assertThat(everything).doesNotContain(FakeModal.TOKEN_ID).doesNotContain(FakeModal.TOKEN_SECRET);
    }

    private static ExecSpec exec(String... argv) {
        return new ExecSpec(List.of(argv), null, Map.of(), Duration.ofSeconds(30), null, 1024 * 1024);
    }

    private static SandboxSpec spec() {
        return new SandboxSpec(
                Ids.next("sbx"),
                "fault-tests",
                Ids.random(12),
                "auto",
                null,
                new SandboxSpec.Resources(1, 512, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(15),
                null);
    }
}
