package dev.perimeter.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Lints and renders the charts under {@code helm/} with Helm itself: helm-java carries Helm as a native library, so no
 * {@code helm} binary is needed.
 */
final class Charts {

    static final Path PERIMETER = Path.of("helm", "perimeter");
    static final Path TUNNEL_AGENT = Path.of("helm", "perimeter-tunnel-agent");
    static final String RELEASE = "perimeter";
    static final String NAMESPACE = "platform";

    /** Duplicate keys would be refused by the API server, so they fail here too. */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Charts() {}

    /** The chart's {@code ci/*-values.yaml} fixtures, in name order. */
    static List<Path> fixtures(Path chart) {
        try (Stream<Path> files = Files.list(chart.resolve("ci"))) {
            return files.filter(file -> file.getFileName().toString().endsWith("-values.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renders the chart as {@code helm template} would, with an optional values file and {@code --set} pairs. */
    static Manifests render(Path chart, @Nullable Path values, Map<String, Object> sets) {
        TemplateCommand template = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (values != null) {
            template = template.withValuesFile(values.toAbsolutePath());
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        String yaml = template.call();
        List<JsonNode> documents =
                YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll();
        return new Manifests(yaml, documents.stream().filter(JsonNode::isObject).toList());
    }

    static Manifests render(Path chart, Path values) {
        return render(chart, values, Map.of());
    }

    /**
     * Lints the chart with a values file. Helm's lint API here reads only the chart's own {@code values.yaml}, so the
     * fixture is merged into a copy of the chart the way {@code helm lint -f} would merge it.
     */
    static LintResult lint(Path chart, @Nullable Path values, Path workDir) {
        try {
            Path copy = workDir.resolve(chart.getFileName());
            try (Stream<Path> files = Files.walk(chart)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(chart.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            if (values != null) {
                JsonNode defaults = YAML.readTree(chart.resolve("values.yaml").toFile());
                JsonNode overrides = YAML.readTree(values.toFile());
                merge((ObjectNode) defaults, overrides);
                YAML.writeValue(copy.resolve("values.yaml").toFile(), defaults);
            }
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture's own values, to decide what its rendering must hold. */
    static JsonNode values(Path values) {
        return YAML.readTree(values.toFile());
    }

    private static void merge(ObjectNode into, JsonNode from) {
        for (Map.Entry<String, JsonNode> field : from.properties()) {
            JsonNode current = into.get(field.getKey());
            if (current instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
            } else {
                into.set(field.getKey(), field.getValue());
            }
        }
    }
}
