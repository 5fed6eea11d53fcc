package dev.perimeter.connector.anthropic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for Anthropic's self-hosted environment work queue on WireMock, following the documented semantics
 * ({@link FakeWorkQueue}) and refusing what the real API refuses: a request without {@code anthropic-version}, without
 * the {@code managed-agents-2026-04-01} beta, or not authenticated by the environment's key as a bearer token (an
 * {@code x-api-key} organization key is refused, as the work endpoints document). One fake serves every test of a JVM;
 * each test makes its own environments.
 */
public final class AnthropicFake {

    private static final AtomicReference<AnthropicFake> SHARED = new AtomicReference<>();

    private final WireMockServer server;
    private final FakeWorkQueue queue = new FakeWorkQueue();
    private final FakeTunnels tunnels = new FakeTunnels();

    private AnthropicFake() {
        server = new WireMockServer(
                wireMockConfig().dynamicPort().containerThreads(32).extensions(new Handler()));
        server.start();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers(Handler.NAME)));
    }

    /** The fake every test of this JVM shares; started on first use. */
    public static AnthropicFake shared() {
        AnthropicFake fake = SHARED.get();
        if (fake == null) {
            synchronized (SHARED) {
                fake = SHARED.get();
                if (fake == null) {
                    fake = new AnthropicFake();
                    SHARED.set(fake);
                }
            }
        }
        return fake;
    }

    /** The {@code ANTHROPIC_BASE_URL} to give Perimeter. */
    public static String baseUrl() {
        return shared().server.baseUrl();
    }

    /** The queue's state, to enqueue work and play Anthropic's side. */
    public FakeWorkQueue queue() {
        return queue;
    }

    /** The Tunnels API's state, for tests of Anthropic MCP tunnels. */
    public FakeTunnels tunnels() {
        return tunnels;
    }

    /** The requests seen, to check counts. */
    public WireMockServer wireMock() {
        return server;
    }

    /** Moves the fake's clock, so leases lapse without waiting. */
    public void advance(Duration duration) {
        queue.advance(duration);
    }

    /** Paths of requests refused for their headers since start, for tests to assert none were. */
    public List<String> refusals() {
        return queue.refusals();
    }

    private final class Handler implements ResponseDefinitionTransformerV2 {

        static final String NAME = "anthropic-fake";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            return new FakeRoutes(queue, tunnels).route(serveEvent.getRequest());
        }
    }
}
