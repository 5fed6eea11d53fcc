package dev.perimeter.provider.daytona;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A stateful stand-in for Daytona on WireMock that answers in Daytona's documented format: the main API under {@code
 * /api} ({@code DAYTONA_API_URL}), each sandbox's toolbox under {@code /toolbox/{sandboxId}} (its {@code
 * toolboxProxyUrl} is {@code /toolbox}). Sandboxes are directories on this host; commands really run in them. Every
 * request is checked against Daytona's OpenAPI documents ({@link SpecValidation}); requests Daytona would refuse are
 * refused in its error format. Faults are injected as WireMock stubs of higher priority than the fake's own.
 */
public final class DaytonaFake implements AutoCloseable {

    public static final String API_KEY = "dtn_fake-api-key-0123456789abcdefghij";

    private final WireMockServer server;
    private final SpecValidation validation = new SpecValidation();
    private final FakeDaytonaState state;
    private final AtomicReference<Duration> createStall = new AtomicReference<>(Duration.ZERO);
    private final AtomicInteger stalledCreates = new AtomicInteger();
    private final AtomicInteger serving = new AtomicInteger();

    public DaytonaFake() {
        try {
            Path root = Files.createTempDirectory("daytona-fake-");
            this.server = new WireMockServer(
                    wireMockConfig().dynamicPort().containerThreads(64).extensions(new Handler(), validation));
            server.start();
            this.state = new FakeDaytonaState(root, server.baseUrl() + "/toolbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers(Handler.NAME)));
    }

    /** The {@code DAYTONA_API_URL} to give the provider. */
    public String apiUrl() {
        return server.baseUrl() + "/api";
    }

    /** The server, to inject faults (stubs at priority 1–9) and verify request counts. */
    public WireMockServer wireMock() {
        return server;
    }

    /** Spec violations seen since the last {@link #clearViolations()}. */
    public List<String> violations() {
        return validation.violations();
    }

    public void clearViolations() {
        validation.clear();
    }

    /**
     * Makes the next {@code count} {@code POST /sandbox} calls wait this long before they create the sandbox and
     * answer: a vendor that does the work after the client has given up.
     */
    public void stallCreates(Duration stall, int count) {
        createStall.set(stall);
        stalledCreates.set(count);
    }

    /** Requests the fake is still working on (stalled ones included). */
    public int serving() {
        return serving.get();
    }

    /** The live (not destroyed) sandbox named with our sandbox id. */
    public Optional<JsonNode> liveSandboxNamed(String name) {
        return state.liveByName(name).map(FakeDaytonaState.FakeSandbox::json);
    }

    /** The body of the last accepted {@code POST /sandbox}. */
    public Optional<JsonNode> lastCreateBody() {
        return state.lastCreateBody();
    }

    /** How many sandboxes are live. */
    public long liveSandboxes() {
        return state.liveCount();
    }

    /** Forgets every sandbox and snapshot and every fault stub. */
    public void reset() {
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers(Handler.NAME)));
        state.clear();
        validation.clear();
        stalledCreates.set(0);
    }

    @Override
    public void close() {
        server.stop();
        state.clear();
        try (Stream<Path> files = Files.walk(state.root())) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    private final class Handler implements ResponseDefinitionTransformerV2 {

        static final String NAME = "daytona-fake";

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
            Request request = serveEvent.getRequest();
            if (!("Bearer " + API_KEY).equals(request.getHeader("Authorization"))) {
                return FakeResponses.error(401, "Unauthorized", "Invalid credentials");
            }
            serving.incrementAndGet();
            try {
                if (request.getMethod().getName().equals("POST")
                        && request.getUrl().equals("/api/sandbox")
                        && stalledCreates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    try {
                        Thread.sleep(createStall.get());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return new FakeRoutes(state).route(request);
            } finally {
                serving.decrementAndGet();
            }
        }
    }
}
