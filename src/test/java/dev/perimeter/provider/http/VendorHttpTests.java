package dev.perimeter.provider.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every remote provider inherits: retries, Retry-After, timeouts, the breaker, error mapping. */
class VendorHttpTests {

    private static final String TOKEN = "Bearer sk-very-secret-token-123456";

    private final WireMockServer vendor = new WireMockServer(wireMockConfig().dynamicPort());
    private VendorHttp http;

    @BeforeEach
    void start() {
        vendor.start();
        http = client(new VendorHttp.Settings(
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                3,
                Duration.ofMillis(10),
                Duration.ofSeconds(2),
                20,
                Duration.ofSeconds(30)));
    }

    @AfterEach
    void stop() {
        vendor.stop();
    }

    @Test
    void idempotentCallIsRetriedAfterA500AndSucceeds() {
        vendor.stubFor(get("/thing")
                .inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("{\"message\":\"boom\"}"))
                .willSetStateTo("ok"));
        vendor.stubFor(get("/thing")
                .inScenario("flaky")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"x\"}")));

        VendorResponse response = http.send(VendorRequest.get(uri("/thing")));

        assertThat(response.json().get("id").asString()).isEqualTo("x");
        vendor.verify(2, getRequestedFor(urlEqualTo("/thing")));
    }

    @Test
    void connectionResetEndsInProviderUnavailableAfterEveryAttempt() {
        vendor.stubFor(get("/thing").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> http.send(VendorRequest.get(uri("/thing"))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("did not answer");
        vendor.verify(3, getRequestedFor(urlEqualTo("/thing")));
    }

    @Test
    void nonIdempotentCallIsNotRetried() {
        vendor.stubFor(post("/things").willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(
                        () -> http.send(VendorRequest.postJson(uri("/things"), "{}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ProviderUnavailableException.class);
        vendor.verify(1, postRequestedFor(urlEqualTo("/things")));
    }

    @Test
    void retryAfterIsHonouredWhenShortAndPassedOnWhenLong() {
        vendor.stubFor(get("/short")
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("ok"));
        vendor.stubFor(get("/short")
                .inScenario("limited")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("{}")));
        long started = System.nanoTime();
        assertThat(http.send(VendorRequest.get(uri("/short"))).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));

        vendor.stubFor(get("/long").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        assertThatThrownBy(() -> http.send(VendorRequest.get(uri("/long"))))
                .isInstanceOfSatisfying(
                        ProviderUnavailableException.class,
                        e -> assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("120"));
        vendor.verify(1, getRequestedFor(urlEqualTo("/long")));
    }

    @Test
    void aStallPastTheTimeoutIsProviderUnavailable() {
        vendor.stubFor(get("/slow").willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));

        assertThatThrownBy(() -> http.send(VendorRequest.get(uri("/slow")).timeout(Duration.ofMillis(200))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void aRefusalIsProviderErrorWithTheVendorsMessageAndNoCredential() {
        vendor.stubFor(
                post("/things")
                        .willReturn(
                                aResponse()
                                        .withStatus(400)
                                        .withBody(
                                                "{\"error\":{\"message\":\"bad cpu; your token sk-very-secret-token-123456 is fine\"}}")));

        assertThatThrownBy(
                        () -> http.send(VendorRequest.postJson(uri("/things"), "{}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("400")
                .hasMessageContaining("bad cpu")
                .hasMessageNotContaining("sk-very-secret");
    }

    @Test
    void acceptedStatusesAndMalformedJsonAreTheCallersToRead() {
        vendor.stubFor(get("/gone").willReturn(aResponse().withStatus(404).withBody("{\"message\":\"no\"}")));
        vendor.stubFor(get("/garbled").willReturn(aResponse().withStatus(200).withBody("{\"id\": ")));

        assertThat(http.send(VendorRequest.get(uri("/gone")).accepting(404)).status())
                .isEqualTo(404);
        assertThatThrownBy(() -> http.send(VendorRequest.get(uri("/gone")))).isInstanceOf(ProviderErrorException.class);
        assertThatThrownBy(() -> http.send(VendorRequest.get(uri("/garbled"))).json())
                .isInstanceOf(ProviderErrorException.class)
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void theBreakerOpensOnARunOfFailuresAndAnswersWithoutCallingTheVendor() {
        VendorHttp fragile = client(new VendorHttp.Settings(
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                1,
                Duration.ofMillis(1),
                Duration.ofSeconds(1),
                10,
                Duration.ofSeconds(30)));
        vendor.stubFor(get("/down").willReturn(aResponse().withStatus(503)));
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> fragile.send(VendorRequest.get(uri("/down"))))
                    .isInstanceOf(ProviderUnavailableException.class);
        }

        assertThatThrownBy(() -> fragile.send(VendorRequest.get(uri("/down"))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("paused");
        vendor.verify(10, getRequestedFor(urlEqualTo("/down")));
    }

    @Test
    void credentialsAreSentOnEveryRequest() {
        vendor.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody("{}")));
        http.send(VendorRequest.get(uri("/me")));
        vendor.verify(getRequestedFor(urlEqualTo("/me"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo(TOKEN)));
    }

    private VendorHttp client(VendorHttp.Settings settings) {
        return new VendorHttp("acme", settings, () -> Map.of("Authorization", TOKEN));
    }

    private URI uri(String path) {
        return URI.create(vendor.baseUrl() + path);
    }
}
