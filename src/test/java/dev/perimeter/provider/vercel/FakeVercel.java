package dev.perimeter.provider.vercel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A fake Vercel Sandbox API on a random local port: WireMock answering, through {@link FakeVercelApi}, in the wire
 * format of Vercel's SDK ({@code vercel/sandbox}, {@code packages/vercel-sandbox/src/api-client/}), with state kept in
 * {@link FakeVercelState} and commands really run (in bubblewrap) over per-sandbox directories. The catch-all stub has
 * a low priority, so a test injects a fault with a stub of higher priority (a lower number).
 */
public final class FakeVercel implements AutoCloseable {

    public static final String TOKEN = "vercel-test-token-3f9a1c7e5b2d4068";
    public static final String TEAM = "team_perimeter";
    public static final String PROJECT = "prj_perimeter";

    /** The transformer a fault stub names to have the fake act on the request and answer (after the stub's delay). */
    public static final String ACTS = FakeVercelApi.NAME;

    /** Priority of the catch-all stub; fault stubs use a smaller number to win. */
    static final int FAKE_PRIORITY = 10;

    private final Path root;
    private final FakeVercelState state;
    private final WireMockServer server;

    public FakeVercel() {
        this(3);
    }

    /** A fake whose list endpoint answers at most {@code pageSize} sandboxes a page, so paging is exercised. */
    FakeVercel(int pageSize) {
        try {
            root = Files.createTempDirectory("fake-vercel-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        state = new FakeVercelState(root, PROJECT, pageSize);
        server = new WireMockServer(
                wireMockConfig().dynamicPort().containerThreads(32).extensions(new FakeVercelApi(state, TOKEN, TEAM)));
        server.start();
        server.stubFor(
                any(anyUrl()).atPriority(FAKE_PRIORITY).willReturn(aResponse().withTransformers(FakeVercelApi.NAME)));
    }

    public WireMockServer wireMock() {
        return server;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public boolean has(String name) {
        return state.has(name);
    }

    public Set<String> names() {
        return state.names();
    }

    /** Drops every fault stub a test added, keeping the fake itself. */
    public void clearFaults() {
        server.getStubMappings().stream()
                .filter(stub -> stub.getPriority() == null || stub.getPriority() < FAKE_PRIORITY)
                .toList()
                .forEach(server::removeStubMapping);
    }

    @Override
    public void close() {
        server.stop();
        FakeSandbox.deleteTree(root);
    }
}
