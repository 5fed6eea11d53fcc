package dev.perimeter.connector.anthropic.web;

import dev.perimeter.shared.ValidationFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Refuses a body in which any text looks like a credential (an Anthropic key, a webhook secret, the worker's
 * {@code --environment-key} flag), wherever it was put. The error names the field, never the value.
 */
final class KeyLikeValues {

    private static final List<String> MARKERS =
            List.of("sk-ant-", "whsec_", "--environment-key", "ant_env_", "bearer ");

    private KeyLikeValues() {}

    static void refuse(JsonNode body) {
        List<ValidationFailedException.FieldError> errors = new ArrayList<>();
        scan("", body, errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
    }

    private static void scan(String path, JsonNode node, List<ValidationFailedException.FieldError> errors) {
        if (node.isString()) {
            String value = node.asString().toLowerCase(Locale.ROOT);
            if (MARKERS.stream().anyMatch(value::contains)) {
                errors.add(new ValidationFailedException.FieldError(
                        path.isEmpty() ? "body" : path,
                        "looks like a key; keys are never accepted in a body: put the key in an environment variable"
                                + " or a mounted file and send environmentKeyRef"));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                scan(path + "[" + i + "]", node.get(i), errors);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                scan(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), errors);
            }
        }
    }
}
