package dev.perimeter.provider.daytona;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.Ids;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Each vendor fault ends in the right typed exception with Daytona's message and never a credential; idempotent calls
 * (lookups, deletes, the create named with our id, uploads) are retried, commands are not.
 */
@ExtendWith(OutputCaptureExtension.class)
class DaytonaProviderFaultTests {

    private static final String SANDBOX = "/api/sandbox/[^/]+";
    private static final String EXECUTE = "/toolbox/[^/]+/process/execute";

    private DaytonaFake fake;
    private DaytonaSandboxProvider provider;

    @BeforeEach
    void start() {
        fake = new DaytonaFake();
        provider = DaytonaTesting.provider(fake, Duration.ofSeconds(1));
    }

    @AfterEach
    void stop(CapturedOutput output) {
        try {
            assertThat(output.getAll()).doesNotContain(DaytonaFake.API_KEY);
            assertThat(fake.violations()).isEmpty();
        } finally {
            fake.close();
        }
    }

    @Test
    void connectionResetIsRetriedThenProviderUnavailable() {
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.getHeaders().getFirst("Retry-After")).isNotBlank();
                    assertThat(e.getBody().getDetail())
                            .contains("did not answer")
                            .doesNotContain(DaytonaFake.API_KEY);
                });
        fake.wireMock().verify(3, getRequestedFor(urlPathMatching(SANDBOX)));
    }

    @Test
    void aServerErrorOnCreateIsRetriedAndProvisionsOnce() {
        fake.wireMock()
                .stubFor(post(urlPathEqualTo("/api/sandbox"))
                        .atPriority(1)
                        .inScenario("flaky")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse()
                                .withStatus(500)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"statusCode\":500,\"message\":\"Internal server error\"}"))
                        .willSetStateTo("recovered"));
        String sandboxId = Ids.next("sbx");

        String ref = provider.create(spec(sandboxId)).providerRef();

        fake.wireMock().verify(2, postRequestedFor(urlPathEqualTo("/api/sandbox")));
        assertThat(fake.liveSandboxes()).isEqualTo(1);
        assertThat(fake.liveSandboxNamed(sandboxId).orElseThrow().get("id").asString())
                .isEqualTo(ref);
    }

    @Test
    void aCreateWhoseAnswerStallsIsRetriedAndFindsTheFirstSandbox() {
        String sandboxId = Ids.next("sbx");
        fake.stallCreates(Duration.ofSeconds(2), 1);

        String ref = provider.create(spec(sandboxId)).providerRef();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> fake.wireMock().verify(2, postRequestedFor(urlPathEqualTo("/api/sandbox"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.serving() == 0);
        assertThat(fake.liveSandboxes()).isEqualTo(1);
        assertThat(fake.liveSandboxNamed(sandboxId).orElseThrow().get("id").asString())
                .isEqualTo(ref);
    }

    @Test
    void aServerErrorOnExecIsNotRetriedAndCarriesDaytonasMessage() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        fake.wireMock()
                .stubFor(post(urlPathMatching(EXECUTE))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(500)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"message\":\"daemon is restarting\"}")));

        assertThatThrownBy(() -> provider.exec(ref, exec("true"), ExecOutput.DISCARD))
                .isInstanceOfSatisfying(
                        ProviderUnavailableException.class,
                        e -> assertThat(e.getBody().getDetail()).contains("500").contains("daemon is restarting"));
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(EXECUTE)));
    }

    @Test
    void tooManyRequestsWaitsForAShortRetryAfter() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .inScenario("limited")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                        .willSetStateTo("ok"));
        long started = System.nanoTime();

        assertThat(provider.status(ref)).isEqualTo(dev.perimeter.provider.SandboxStatus.RUNNING);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void tooManyRequestsWithALongRetryAfterIsPassedOn() {
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(429)
                                .withHeader("Retry-After", "120")
                                .withHeader("Content-Type", "application/json")
                                .withBody(
                                        "{\"statusCode\":429,\"message\":\"ThrottlerException: Too Many Requests\"}")));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("120");
                    assertThat(e.getBody().getDetail()).contains("Too Many Requests");
                });
        fake.wireMock().verify(1, getRequestedFor(urlPathMatching(SANDBOX)));
    }

    @Test
    void aStallPastTheTimeoutIsProviderUnavailableAfterRetries() {
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(
                        ProviderUnavailableException.class,
                        e -> assertThat(e.getBody().getDetail()).contains("timed out"));
        fake.wireMock().verify(3, getRequestedFor(urlPathMatching(SANDBOX)));
    }

    @Test
    void malformedJsonIsAProviderError() {
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"id\": \"abc\", \"state\": ")));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(502);
                    assertThat(e.getBody().getDetail()).contains("malformed JSON");
                });
        fake.wireMock().verify(1, getRequestedFor(urlPathMatching(SANDBOX)));
    }

    @Test
    void aDownloadCutMidStreamIsProviderUnavailable() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        provider.writeFile(ref, "notes.txt", "line one\nline two\n".getBytes());
        fake.wireMock()
                .stubFor(get(urlPathMatching("/toolbox/[^/]+/files/download"))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        assertThatThrownBy(() -> provider.readFile(ref, "notes.txt", 1024))
                .isInstanceOf(ProviderUnavailableException.class);
    }

    @Test
    void anExecAnswerCutMidLineIsNotRetried() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        fake.wireMock()
                .stubFor(post(urlPathMatching(EXECUTE))
                        .atPriority(1)
                        .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        assertThatThrownBy(() -> provider.exec(ref, exec("echo", "hi"), ExecOutput.DISCARD))
                .isInstanceOf(ProviderUnavailableException.class);
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(EXECUTE)));
    }

    @Test
    void anExecAnswerWhoseResultIsCutIsAProviderError() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        fake.wireMock()
                .stubFor(post(urlPathMatching(EXECUTE))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"exitCode\":0,\"result\":\"PERIMETER-EXEC 0 0 3 0\\naGk\"}")));

        assertThatThrownBy(() -> provider.exec(ref, exec("echo", "hi"), ExecOutput.DISCARD))
                .isInstanceOf(ProviderErrorException.class);
        fake.wireMock().verify(1, postRequestedFor(urlPathMatching(EXECUTE)));
    }

    @Test
    void aRefusedCreateIsAProviderErrorWithDaytonasMessageAndIsNotRepeated() {
        SandboxSpec tooBig = new SandboxSpec(
                Ids.next("sbx"),
                "tenant",
                "corr",
                "us",
                null,
                new SandboxSpec.Resources(16, 1024, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null);

        assertThatThrownBy(() -> provider.create(tooBig))
                .isInstanceOfSatisfying(
                        ProviderErrorException.class,
                        e -> assertThat(e.getBody().getDetail()).contains("400").contains("exceeds maximum"));
        fake.wireMock().verify(1, postRequestedFor(urlPathEqualTo("/api/sandbox")));
    }

    @Test
    void aWrongKeyIsAProviderErrorThatDoesNotShowAnyKey() {
        DaytonaProviderProperties wrong = new DaytonaProviderProperties(
                "dtn_wrong-key-abcdefghijklmnop",
                URI.create(fake.apiUrl()),
                "us",
                java.util.Set.of("us"),
                DaytonaTesting.properties(fake.apiUrl(), Duration.ofSeconds(1)).connection(),
                DaytonaTesting.properties(fake.apiUrl(), Duration.ofSeconds(1)).sandbox());
        DaytonaSandboxProvider unauthorised =
                new DaytonaSandboxProvider(wrong, DaytonaProviderConfiguration.http(wrong), Clock.systemUTC());

        assertThatThrownBy(() -> unauthorised.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(
                                e.getBody().getDetail())
                        .contains("401")
                        .contains("Invalid credentials")
                        .doesNotContain("dtn_wrong-key-abcdefghijklmnop"));
    }

    @Test
    void aVendorMessageEchoingTheKeyIsRedacted() {
        fake.wireMock()
                .stubFor(get(urlPathMatching(SANDBOX))
                        .atPriority(1)
                        .willReturn(aResponse()
                                .withStatus(400)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"message\":\"bad header Bearer " + DaytonaFake.API_KEY + "\"}")));

        assertThatThrownBy(() -> provider.status(Ids.next("sbx")))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(
                                e.getBody().getDetail())
                        .contains("[redacted]")
                        .doesNotContain(DaytonaFake.API_KEY));
    }

    private static SandboxSpec spec(String sandboxId) {
        return new SandboxSpec(
                sandboxId,
                "tenant",
                "corr",
                "us",
                null,
                new SandboxSpec.Resources(1, 1024, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null);
    }

    private static ExecSpec exec(String... argv) {
        return new ExecSpec(List.of(argv), null, Map.of(), Duration.ofSeconds(5), null, 1024);
    }
}
