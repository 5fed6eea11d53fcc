package dev.perimeter.provider.cloudflare;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PerimeterException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the provider fails when the bridge does: transient faults end in {@code provider-unavailable} (503 with {@code
 * Retry-After}) after the calls that are safe to repeat were retried, refusals and garbage in {@code provider-error}
 * (502); the vendor's message is passed on and the token never is. Exec is never retried and never hangs.
 */
class CloudflareProviderFaultTests {

    private static final String TOKEN = "fault-test-token-abcdef0123456789";

    private final CloudflareBridgeFake bridge = new CloudflareBridgeFake(TOKEN).start();
    private final InMemoryBridgeRecords.Ledger ledger = new InMemoryBridgeRecords.Ledger();
    private final BridgeClient client = CloudflareTestClients.client(bridge.baseUrl(), TOKEN, Duration.ofSeconds(1), 3);
    private final CloudflareSandboxProvider provider = provider(client);

    @AfterEach
    void stop() {
        client.close();
        bridge.stop();
    }

    @Test
    void connectionResetOnAReadIsRetriedThenUnavailable() {
        String ref = running();
        bridge.server()
                .stubFor(get(urlPathMatching("/v1/sandbox/" + ref + "/file/.*"))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertUnavailable(() -> provider.readFile(ref, "a.txt", 1024));
        bridge.server().verify(3, getRequestedFor(urlPathMatching("/v1/sandbox/" + ref + "/file/.*")));
    }

    @Test
    void serverErrorOnAWriteIsRetriedAndPassesTheVendorMessageOn() {
        String ref = running();
        bridge.server()
                .stubFor(put(urlPathEqualTo("/v1/sandbox/" + ref + "/file/workspace/a.txt"))
                        .atPriority(1)
                        .willReturn(bridgeError(500, "write failed: disk on fire", "workspace_archive_write_error")));

        assertThatThrownBy(() -> provider.writeFile(ref, "a.txt", new byte[] {1}))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("disk on fire")
                .satisfies(CloudflareProviderFaultTests::withoutToken);
        bridge.server().verify(3, putRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/file/workspace/a.txt")));
    }

    @Test
    void tooManyRequestsIsRetriedAfterTheBridgesRetryAfter() {
        String ref = running();
        bridge.server()
                .stubFor(get(urlPathEqualTo("/v1/sandbox/" + ref + "/running"))
                        .atPriority(1)
                        .inScenario("busy")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(
                                bridgeError(429, "slow down", "rate_limited").withHeader("Retry-After", "1"))
                        .willSetStateTo("calm"));
        long started = System.nanoTime();

        assertThat(provider.status(ref)).isEqualTo(dev.perimeter.provider.SandboxStatus.RUNNING);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        bridge.server().verify(2, getRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/running")));
    }

    @Test
    void aRetryAfterBeyondPatienceAnswersUnavailableWithIt() {
        String ref = running();
        bridge.server()
                .stubFor(get(urlPathEqualTo("/v1/sandbox/" + ref + "/running"))
                        .atPriority(1)
                        .willReturn(
                                bridgeError(429, "slow down", "rate_limited").withHeader("Retry-After", "120")));

        assertThatThrownBy(() -> provider.status(ref))
                .isInstanceOf(ProviderUnavailableException.class)
                .satisfies(e -> assertThat(((PerimeterException) e).getHeaders().getFirst("Retry-After"))
                        .isEqualTo("120"));
        bridge.server().verify(1, getRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/running")));
    }

    @Test
    void aStallPastTheTimeoutIsRetriedThenUnavailable() {
        String ref = running();
        bridge.server()
                .stubFor(get(urlPathEqualTo("/v1/sandbox/" + ref + "/running"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withTransformers(CloudflareBridgeFake.TRANSFORMER)
                                .withFixedDelay(2500)));

        assertThatThrownBy(() -> provider.status(ref))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("timed out");
        bridge.server().verify(3, getRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/running")));
    }

    @Test
    void malformedJsonIsAProviderError() {
        String ref = running();
        bridge.server()
                .stubFor(get(urlPathEqualTo("/v1/sandbox/" + ref + "/running"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"running\": tr")));

        assertThatThrownBy(() -> provider.status(ref))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("malformed JSON");
        bridge.server().verify(1, getRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/running")));
    }

    @Test
    void aWrongTokenIsARefusalThatNamesNoToken() {
        String ref = running();
        BridgeClient wrong = CloudflareTestClients.client(bridge.baseUrl(), "wrong-" + TOKEN, Duration.ofSeconds(1), 3);
        try {
            assertThatThrownBy(() -> provider(wrong).status(ref))
                    .isInstanceOf(ProviderErrorException.class)
                    .hasMessageContaining("401")
                    .hasMessageContaining("Unauthorized")
                    .satisfies(CloudflareProviderFaultTests::withoutToken);
        } finally {
            wrong.close();
        }
    }

    @Test
    void execIsNeverRetried() {
        String ref = running();
        bridge.server()
                .stubFor(post(urlPathEqualTo("/v1/sandbox/" + ref + "/exec"))
                        .atPriority(1)
                        .willReturn(bridgeError(502, "exec failed: transport", "exec_transport_error")));

        assertThatThrownBy(() -> provider.exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("exec failed: transport");
        bridge.server().verify(1, postRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/exec")));
    }

    @Test
    void anExecStreamCutMidLineIsUnavailableNotAResult() {
        String ref = running();
        bridge.server()
                .stubFor(post(urlPathEqualTo("/v1/sandbox/" + ref + "/exec"))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withHeader("Content-Type", "text/event-stream")
                                .withBody("event: stdout\ndata: " + base64("partial output\n")
                                        + "\n\nevent: stdout\ndata: aGVs")
                                .withChunkedDribbleDelay(4, 40)));

        assertThatThrownBy(() -> provider.exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("ended the exec stream before the command's exit event");
        bridge.server().verify(1, postRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/exec")));
    }

    @Test
    void aMalformedChunkMidStreamIsUnavailable() {
        String ref = running();
        bridge.server()
                .stubFor(post(urlPathEqualTo("/v1/sandbox/" + ref + "/exec"))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        assertUnavailable(() -> provider.exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD));
        bridge.server().verify(1, postRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref + "/exec")));
    }

    @Test
    void anErrorEventIsAProviderErrorWithTheBridgesMessage() {
        String ref = running();
        bridge.server()
                .stubFor(
                        post(urlPathEqualTo("/v1/sandbox/" + ref + "/exec"))
                                .atPriority(1)
                                .willReturn(
                                        aResponse()
                                                .withHeader("Content-Type", "text/event-stream")
                                                .withBody(
                                                        "event: error\ndata: {\"error\":\"container went away\",\"code\":\"exec_error\"}\n\n")));

        assertThatThrownBy(() -> provider.exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("container went away (exec_error)");
    }

    @Test
    void garbageInAnOutputEventIsAProviderError() {
        String ref = running();
        bridge.server()
                .stubFor(
                        post(urlPathEqualTo("/v1/sandbox/" + ref + "/exec"))
                                .atPriority(1)
                                .willReturn(
                                        aResponse()
                                                .withHeader("Content-Type", "text/event-stream")
                                                .withBody(
                                                        "event: stdout\ndata: !!not base64!!\n\nevent: exit\ndata: {\"exit_code\":0}\n\n")));

        assertThatThrownBy(() -> provider.exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("not base64");
    }

    @Test
    void destroyIsRetriedAfterAServerError() {
        String ref = running();
        bridge.server()
                .stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(urlPathEqualTo("/v1/sandbox/" + ref))
                        .atPriority(1)
                        .inScenario("flaky delete")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(bridgeError(500, "pool error: busy", "pool_error"))
                        .willSetStateTo("ok"));

        provider.destroy(ref);

        bridge.server().verify(2, deleteRequestedFor(urlPathEqualTo("/v1/sandbox/" + ref)));
        assertThat(bridge.has(ref)).isFalse();
        assertThat(ledger.contains(ref)).isFalse();
    }

    @Test
    void outputReachesTheListenerWhileTheCommandStillRuns() throws Exception {
        CountDownLatch firstChunkSeen = new CountDownLatch(1);
        try (ScriptedSseServer server = new ScriptedSseServer(chunks -> {
            chunks.send("event: stdout\ndata: " + base64("first\n").substring(0, 4));
            chunks.send(base64("first\n").substring(4) + "\n\n");
            if (!firstChunkSeen.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the listener never saw the first chunk");
            }
            chunks.send("event: stdout\ndata: " + base64("second\n") + "\n\nevent: ex");
            chunks.send("it\ndata: {\"exit_code\":0}\n\n");
            chunks.end();
        })) {
            BridgeClient scripted = CloudflareTestClients.client(server.baseUrl(), TOKEN, Duration.ofSeconds(1), 1);
            String ref = known();
            ExecOutput listener = new ExecOutput() {
                @Override
                public void stdout(byte[] chunk) {
                    firstChunkSeen.countDown();
                }

                @Override
                public void stderr(byte[] chunk) {}
            };

            ExecResult result = provider(scripted).exec(ref, spec(Duration.ofSeconds(5)), listener);

            assertThat(new String(result.stdout(), StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
            assertThat(result.exitCode()).isZero();
            scripted.close();
        }
    }

    @Test
    void aStreamThatDiesMidExecIsUnavailable() throws Exception {
        try (ScriptedSseServer server = new ScriptedSseServer(chunks -> {
            chunks.send("event: stdout\ndata: " + base64("working...\n") + "\n\n");
            chunks.send("event: std");
            // the connection closes without the terminating chunk
        })) {
            BridgeClient scripted = CloudflareTestClients.client(server.baseUrl(), TOKEN, Duration.ofSeconds(1), 1);
            String ref = known();

            assertUnavailable(() -> provider(scripted).exec(ref, spec(Duration.ofSeconds(5)), ExecOutput.DISCARD));
            scripted.close();
        }
    }

    @Test
    void aStreamThatStallsMidExecIsAbandonedNotAHang() throws Exception {
        try (ScriptedSseServer server = new ScriptedSseServer(chunks -> {
            chunks.send("event: stdout\ndata: " + base64("working...\n") + "\n\n");
            Thread.sleep(60_000);
        })) {
            BridgeClient scripted = CloudflareTestClients.client(server.baseUrl(), TOKEN, Duration.ofSeconds(1), 1);
            String ref = known();
            long started = System.nanoTime();

            assertThatThrownBy(() -> provider(scripted).exec(ref, spec(Duration.ofSeconds(1)), ExecOutput.DISCARD))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("no exit event");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            scripted.close();
        }
    }

    private CloudflareSandboxProvider provider(BridgeClient bridgeClient) {
        return new CloudflareSandboxProvider(
                bridgeClient,
                ledger,
                new InMemoryBridgeRecords.Archives(),
                Duration.ofSeconds(2),
                EgressMode.ALLOW_ALL);
    }

    /** A sandbox on the fake bridge, created through the provider. */
    private String running() {
        String sandboxId = Ids.next("sbx");
        return provider.create(new SandboxSpec(
                        sandboxId,
                        "faults",
                        "corr",
                        "auto",
                        null,
                        new SandboxSpec.Resources(1, 512, null),
                        SandboxSpec.Egress.denyAll(),
                        Map.of(),
                        Map.of(),
                        Duration.ofMinutes(5),
                        null))
                .providerRef();
    }

    /** A sandbox the ledger knows, on a scripted bridge that only streams. */
    private String known() {
        String sandboxId = Ids.next("sbx");
        String ref = CloudflareBridgeFake.bridgeId(sandboxId);
        ledger.record(ref, sandboxId);
        return ref;
    }

    private static ExecSpec spec(Duration timeout) {
        return new ExecSpec(List.of("echo", "hi"), null, Map.of(), timeout, null, 1024);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder bridgeError(
            int status, String error, String code) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"" + error + "\",\"code\":\"" + code + "\"}");
    }

    private static void assertUnavailable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOf(ProviderUnavailableException.class)
                .satisfies(e -> assertThat(((PerimeterException) e).getHeaders().getFirst("Retry-After"))
                        .isNotBlank())
                .satisfies(CloudflareProviderFaultTests::withoutToken);
    }

    private static void withoutToken(Throwable e) {
        assertThat(e.getMessage()).doesNotContain(TOKEN);
        assertThat(((PerimeterException) e).getBody().toString()).doesNotContain(TOKEN);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
