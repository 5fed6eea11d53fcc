package dev.perimeter.provider.vercel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PerimeterException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each vendor fault ends in the right typed failure, with Vercel's message and without the token; idempotent calls
 * (lookups, deletes, file reads and writes, the named create) are retried, a command or a snapshot never is.
 */
class VercelProviderFaultTests {

    private static final String CMD = "/v2/sandboxes/sessions/[^/]+/cmd";
    private static final String STARTED = "{\"command\":{\"id\":\"cmd_1\",\"name\":\"echo\",\"args\":[],"
            + "\"cwd\":\"/vercel/sandbox\",\"sessionId\":\"s\",\"exitCode\":null,\"startedAt\":1}}\n";
    private static final String FINISHED = "{\"command\":{\"id\":\"cmd_1\",\"name\":\"echo\",\"args\":[],"
            + "\"cwd\":\"/vercel/sandbox\",\"sessionId\":\"s\",\"exitCode\":0,\"durationMs\":5,\"startedAt\":1}}\n";

    private FakeVercel fake;
    private SandboxProvider provider;

    @BeforeEach
    void start() {
        fake = new FakeVercel();
        provider = VercelTestProviders.against(fake, Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void connectionResetIsRetriedForALookupThenAnswersUnavailable() {
        String name = Ids.next("sbx");
        fake.wireMock()
                .stubFor(get(urlPathEqualTo("/v2/sandboxes/" + name))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> provider.status(name))
                .isInstanceOf(ProviderUnavailableException.class)
                .satisfies(VercelProviderFaultTests::carriesNoToken);
        fake.wireMock().verify(3, getRequestedFor(urlPathEqualTo("/v2/sandboxes/" + name)));
    }

    @Test
    void serverErrorOnADeleteIsRetriedAndCarriesVercelsMessage() {
        String name = Ids.next("sbx");
        fake.wireMock()
                .stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathEqualTo("/v2/sandboxes/" + name))
                        .atPriority(1)
                        .willReturn(vercelError(500, "internal_server_error", "Something broke at Vercel")));

        assertThatThrownBy(() -> provider.destroy(name))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("Something broke at Vercel")
                .satisfies(VercelProviderFaultTests::carriesNoToken);
        fake.wireMock().verify(3, deleteRequestedFor(urlPathEqualTo("/v2/sandboxes/" + name)));
    }

    @Test
    void serverErrorOnACommandIsNotRetried() {
        String ref = sandbox();
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(vercelError(500, "internal_server_error", "command runner down")));

        assertThatThrownBy(() -> provider.exec(ref, echo(), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("command runner down");
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(CMD)));
    }

    @Test
    void serverErrorOnASnapshotIsNotRetried() {
        String ref = sandbox();
        String path = "/v2/sandboxes/sessions/[^/]+/snapshot";
        fake.wireMock()
                .stubFor(post(urlPathMatching(path))
                        .atPriority(1)
                        .willReturn(vercelError(503, "service_unavailable", "snapshots paused")));

        assertThatThrownBy(() -> provider.snapshot(ref, Ids.next("snap")))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("snapshots paused");
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(path)));
    }

    @Test
    void tooManyRequestsWithAShortRetryAfterIsWaitedOutAndRetried() {
        String ref = sandbox();
        fake.wireMock().resetRequests();
        fake.wireMock()
                .stubFor(get(urlPathEqualTo("/v2/sandboxes/" + ref))
                        .atPriority(1)
                        .inScenario("rate limited")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(vercelError(429, "rate_limited", "Too many requests")
                                .withHeader("Retry-After", "1"))
                        .willSetStateTo("allowed"));
        long started = System.nanoTime();

        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        fake.wireMock().verify(2, getRequestedFor(urlPathEqualTo("/v2/sandboxes/" + ref)));
    }

    @Test
    void tooManyRequestsWithALongRetryAfterAnswersUnavailableWithThatRetryAfter() {
        String name = Ids.next("sbx");
        fake.wireMock()
                .stubFor(get(urlPathEqualTo("/v2/sandboxes/" + name))
                        .atPriority(1)
                        .willReturn(
                                vercelError(429, "rate_limited", "Slow down").withHeader("Retry-After", "120")));

        assertThatThrownBy(() -> provider.status(name))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("Slow down")
                .satisfies(e -> assertThat(((PerimeterException) e).getHeaders().getFirst("Retry-After"))
                        .isEqualTo("120"));
        fake.wireMock().verify(1, getRequestedFor(urlPathEqualTo("/v2/sandboxes/" + name)));
    }

    @Test
    void aStallPastTheTimeoutIsRetriedThenAnswersUnavailable() {
        String name = Ids.next("sbx");
        fake.wireMock()
                .stubFor(get(urlPathEqualTo("/v2/sandboxes/" + name))
                        .atPriority(1)
                        .willReturn(aResponse().withFixedDelay(2_500).withTransformers(FakeVercelApi.NAME)));

        assertThatThrownBy(() -> provider.status(name))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("timed out");
        fake.wireMock().verify(3, getRequestedFor(urlPathEqualTo("/v2/sandboxes/" + name)));
    }

    @Test
    void aCreateVercelAnswersTooLateLeavesASandboxThatDestroyRemoves() {
        fake.wireMock()
                .stubFor(post(urlPathEqualTo("/v3/sandboxes"))
                        .atPriority(1)
                        .willReturn(aResponse().withFixedDelay(2_500).withTransformers(FakeVercelApi.NAME)));
        SandboxSpec spec = spec(Ids.next("sbx"));

        assertThatThrownBy(() -> provider.create(spec)).isInstanceOf(ProviderUnavailableException.class);

        assertThat(fake.has(spec.sandboxId())).isTrue();
        fake.clearFaults();
        provider.destroy(spec.sandboxId());
        assertThat(fake.has(spec.sandboxId())).isFalse();
    }

    @Test
    void aRetriedCreateWhoseFirstAttemptGotThroughFindsTheSameSandbox() {
        fake.wireMock()
                .stubFor(post(urlPathEqualTo("/v3/sandboxes"))
                        .atPriority(1)
                        .inScenario("lost answer")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withFixedDelay(1_500).withTransformers(FakeVercelApi.NAME))
                        .willSetStateTo("answered"));
        SandboxSpec spec = spec(Ids.next("sbx"));

        assertThat(provider.create(spec).providerRef()).isEqualTo(spec.sandboxId());

        fake.wireMock().verify(2, postRequestedFor(urlPathEqualTo("/v3/sandboxes")));
        assertThat(fake.names()).containsOnlyOnce(spec.sandboxId());
    }

    @Test
    void malformedJsonIsAProviderError() {
        String name = Ids.next("sbx");
        fake.wireMock()
                .stubFor(get(urlPathEqualTo("/v2/sandboxes/" + name))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"sandbox\":{\"name\":")));

        assertThatThrownBy(() -> provider.status(name))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void aCommandStreamCutMidLineIsUnavailableAndNotRetried() {
        String ref = sandbox();
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(ndjson(STARTED + "{\"stream\":\"stdout\",\"data\":\"hel")));

        assertThatThrownBy(() -> provider.exec(ref, echo(), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("middle of a line");
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(CMD)));
    }

    @Test
    void aCommandStreamEndingBeforeTheLastLineIsUnavailable() {
        String ref = sandbox();
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(ndjson(STARTED + "{\"stream\":\"stdout\",\"data\":\"hello\\n\"}\n")));

        assertThatThrownBy(() -> provider.exec(ref, echo(), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("stream_ended_early");
    }

    @Test
    void anErrorLineIsAProviderErrorWithVercelsCodeAndMessage() {
        String ref = sandbox();
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(ndjson(STARTED
                                + "{\"stream\":\"error\",\"data\":{\"code\":\"sandbox_stopped\",\"message\":\"The sandbox was"
                                + " stopped\"}}\n")));

        assertThatThrownBy(() -> provider.exec(ref, echo(), ExecOutput.DISCARD))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("sandbox_stopped: The sandbox was stopped");
    }

    @Test
    void aCommandAnswerThatIsNotNdjsonIsAProviderError() {
        String ref = sandbox();
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withHeader("Content-Type", "application/json")
                                .withBody("{}")));

        assertThatThrownBy(() -> provider.exec(ref, echo(), ExecOutput.DISCARD))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("stream of command data");
    }

    @Test
    void outputReachesTheListenerWhileTheStreamIsStillOpen() {
        String ref = sandbox();
        String body = STARTED + "{\"stream\":\"stdout\",\"data\":\"first\\n\"}\n"
                + "{\"stream\":\"stderr\",\"data\":\"warn\\n\"}\n"
                + "{\"stream\":\"stdout\",\"data\":\"last\\n\"}\n" + FINISHED;
        fake.wireMock()
                .stubFor(post(urlPathMatching(CMD))
                        .atPriority(1)
                        .willReturn(ndjson(body).withChunkedDribbleDelay(body.length() / 8, 1_600)));
        AtomicLong firstOutput = new AtomicLong();
        ExecOutput listener = new ExecOutput() {
            @Override
            public void stdout(byte[] chunk) {
                firstOutput.compareAndSet(0, System.nanoTime());
            }

            @Override
            public void stderr(byte[] chunk) {}
        };

        ExecResult result = provider.exec(ref, echo(), listener);
        long ended = System.nanoTime();

        assertThat(new String(result.stdout(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("first\nlast\n");
        assertThat(new String(result.stderr(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("warn\n");
        assertThat(Duration.ofNanos(ended - firstOutput.get())).isGreaterThan(Duration.ofMillis(400));
    }

    @Test
    void aRefusalCarriesVercelsCodeAndMessageButNeverTheToken() {
        fake.wireMock()
                .stubFor(post(urlPathEqualTo("/v3/sandboxes"))
                        .atPriority(1)
                        .willReturn(vercelError(
                                400,
                                "bad_request",
                                "Token " + FakeVercel.TOKEN + " may not create sandboxes in this region")));

        assertThatThrownBy(() -> provider.create(spec(Ids.next("sbx"))))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("bad_request: Token [redacted] may not create sandboxes in this region")
                .satisfies(VercelProviderFaultTests::carriesNoToken);
    }

    @Test
    void unauthorisedCallsAreProviderErrorsWithoutTheToken() {
        fake.wireMock()
                .stubFor(get(urlPathMatching("/v2/sandboxes/.*"))
                        .atPriority(1)
                        .willReturn(vercelError(403, "forbidden", "Not authorized: " + FakeVercel.TOKEN)));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("Not authorized")
                .satisfies(VercelProviderFaultTests::carriesNoToken);
    }

    private String sandbox() {
        return provider.create(spec(Ids.next("sbx"))).providerRef();
    }

    private static SandboxSpec spec(String id) {
        return new SandboxSpec(
                id,
                "tenant",
                "corr-1",
                "iad1",
                null,
                new SandboxSpec.Resources(1, 512, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null);
    }

    private static ExecSpec echo() {
        return new ExecSpec(List.of("echo", "hello"), null, Map.of(), Duration.ofSeconds(5), null, 1024);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder vercelError(
            int status, String code, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ndjson(String body) {
        return aResponse().withHeader("Content-Type", "application/x-ndjson").withBody(body);
    }

    private static void carriesNoToken(Throwable e) {
        assertThat(e.getMessage()).doesNotContain(FakeVercel.TOKEN);
        assertThat(String.valueOf(((PerimeterException) e).getBody().getDetail()))
                .doesNotContain(FakeVercel.TOKEN);
    }
}
