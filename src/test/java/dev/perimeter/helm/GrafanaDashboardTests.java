package dev.perimeter.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Grafana dashboard the chart ships: valid JSON, labelled for the sidecar, and only metrics Perimeter has. */
class GrafanaDashboardTests {

    private static final Pattern PERIMETER_METRIC = Pattern.compile("perimeter_[a-z_]+");
    private static final Pattern PROMETHEUS_SUFFIX =
            Pattern.compile("(_seconds(_count|_sum|_max|_bucket)?|_total|_usd)$");

    @Test
    void theDashboardShipsInAConfigMapGrafanaPicksUp() {
        Manifests manifests =
                Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/ingress-hpa-servicemonitor-values.yaml"));
        JsonNode configMap = manifests.ofKind("ConfigMap").stream()
                .filter(map -> map.at("/metadata/name").asString().endsWith("-dashboard"))
                .findFirst()
                .orElseThrow();
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(configMap.at("/data/perimeter.json").asString());

        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asString())
                .isEqualTo("1");
        assertThat(dashboard.path("uid").asString()).isEqualTo("perimeter-overview");
        assertThat(dashboard.path("panels")).isNotEmpty();
    }

    @Test
    void everyPerimeterMetricTheDashboardQueriesIsOneTheCodeRegisters() throws IOException {
        String dashboard = Files.readString(Charts.PERIMETER.resolve("files/perimeter-dashboard.json"));
        Set<String> queried = new TreeSet<>();
        Matcher matcher = PERIMETER_METRIC.matcher(dashboard);
        while (matcher.find()) {
            queried.add(
                    PROMETHEUS_SUFFIX.matcher(matcher.group()).replaceFirst("").replace('_', '.'));
        }
        String sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(file -> file.toString().endsWith(".java"))
                    .map(GrafanaDashboardTests::read)
                    .collect(Collectors.joining("\n"));
        }

        assertThat(queried).contains("perimeter.sandboxes.active", "perimeter.sandbox.admissions");
        assertThat(queried).allSatisfy(meter -> assertThat(sources).contains("\"" + meter + "\""));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
