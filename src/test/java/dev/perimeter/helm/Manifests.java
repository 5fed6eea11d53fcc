package dev.perimeter.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The objects one {@code helm template} rendered, and the text they came from. */
record Manifests(String text, List<JsonNode> objects) {

    List<JsonNode> ofKind(String kind) {
        return objects.stream()
                .filter(object -> kind.equals(object.path("kind").asString()))
                .toList();
    }

    Optional<JsonNode> find(String kind) {
        List<JsonNode> found = ofKind(kind);
        assertThat(found).as("rendered %s objects", kind).hasSizeLessThanOrEqualTo(1);
        return found.stream().findFirst();
    }

    JsonNode one(String kind) {
        return find(kind).orElseThrow(() -> new AssertionError("no " + kind + " was rendered"));
    }

    /** Perimeter's settings: the ConfigMap named like the release. */
    JsonNode settings() {
        return ofKind("ConfigMap").stream()
                .filter(map -> Charts.RELEASE.equals(map.at("/metadata/name").asString()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no settings ConfigMap was rendered"));
    }

    /** The first container of the one Deployment. */
    JsonNode container() {
        return one("Deployment").at("/spec/template/spec/containers/0");
    }

    /** The container's env entry of that name, or a missing node. */
    JsonNode env(String name) {
        for (JsonNode entry : container().path("env")) {
            if (name.equals(entry.path("name").asString())) {
                return entry;
            }
        }
        return tools.jackson.databind.node.MissingNode.getInstance();
    }
}
