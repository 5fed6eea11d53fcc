package dev.perimeter.shared;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * RFC 7396 JSON merge patch: members of the patch replace the target's, {@code null} removes a member, and objects
 * merge recursively. Jackson has no merge-patch support of its own, and the RFC's algorithm is ten lines.
 */
public final class JsonMergePatch {

    private JsonMergePatch() {}

    /** The target with the patch applied; neither argument is modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target.isObject() ? ((ObjectNode) target).deepCopy() : ((ObjectNode) patch).objectNode();
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            if (member.getValue().isNull()) {
                result.remove(member.getKey());
            } else {
                JsonNode current = result.get(member.getKey());
                result.set(member.getKey(), apply(current == null ? result.nullNode() : current, member.getValue()));
            }
        }
        return result;
    }
}
