package dev.perimeter.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** helm/perimeter-tunnel-agent, linted and rendered by Helm for every fixture in its ci/ directory. */
class TunnelAgentChartTests {

    static Stream<Path> fixtures() {
        return Charts.fixtures(Charts.TUNNEL_AGENT).stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyFixtureLintsCleanInStrictMode(Path fixture, @TempDir Path workDir) {
        LintResult lint = Charts.lint(Charts.TUNNEL_AGENT, fixture, workDir);

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theAgentRunsTheTunnelAgentCommandWithItsTokenFromASecret(Path fixture) {
        JsonNode values = Charts.values(fixture);
        Manifests manifests = Charts.render(Charts.TUNNEL_AGENT, fixture);
        JsonNode container = manifests.container();

        assertThat(PerimeterChartTests.strings(container.path("args"))).containsExactly("tunnel-agent");
        assertThat(manifests.env("MCP_TUNNEL_URL").path("value").asString())
                .isEqualTo(values.at("/tunnel/url").asString());
        assertThat(manifests.env("MCP_UPSTREAM_URL").path("value").asString())
                .isEqualTo(values.at("/tunnel/upstreamUrl").asString());
        assertThat(manifests.env("MCP_TUNNEL_TOKEN").has("value")).isFalse();
        assertThat(manifests
                        .env("MCP_TUNNEL_TOKEN")
                        .at("/valueFrom/secretKeyRef/name")
                        .asString())
                .isEqualTo(values.at("/tunnel/existingSecret").asString());
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(PerimeterChartTests.strings(container.at("/securityContext/capabilities/drop")))
                .containsExactly("ALL");
        assertThat(manifests
                        .one("Deployment")
                        .at("/spec/template/spec/securityContext/runAsNonRoot")
                        .asBoolean())
                .isTrue();
        assertThat(manifests
                        .one("Deployment")
                        .at("/spec/template/spec/automountServiceAccountToken")
                        .asBoolean())
                .isFalse();
        assertThat(manifests.ofKind("Service"))
                .as("nothing connects to the agent")
                .isEmpty();
        assertThat(manifests.ofKind("Secret")).isEmpty();
    }

    @Test
    void theTunnelTokenSecretIsRequired() {
        assertThatThrownBy(() -> Charts.render(
                        Charts.TUNNEL_AGENT,
                        null,
                        Map.of(
                                "tunnel.url",
                                "https://perimeter.example.com/t",
                                "tunnel.upstreamUrl",
                                "http://mcp:8080/mcp")))
                .hasMessageContaining("tunnel.existingSecret is required");
    }
}
