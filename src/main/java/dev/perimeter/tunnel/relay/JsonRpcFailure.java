package dev.perimeter.tunnel.relay;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON-RPC error a relay answers in place of a response it can no longer deliver: code -32603 with {@code
 * data.tunnelFailure.source = "transport_closed"}, the shape OpenAI's tunnel client uses for the same situation.
 */
final class JsonRpcFailure {

    private JsonRpcFailure() {}

    /**
     * An SSE event carrying the error for the one request in {@code body}, or {@code null} when the body is not a
     * single JSON-RPC request (a notification, a batch, or cut off).
     */
    static @Nullable String event(JsonMapper json, byte[] body, String reason) {
        String message = json(json, body, reason);
        return message == null ? null : "event: message\ndata: " + message + "\n\n";
    }

    private static @Nullable String json(JsonMapper json, byte[] body, String reason) {
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
        if (request == null || !request.isObject() || !request.has("id") || !request.has("method")) {
            return null;
        }
        Map<String, Object> error = Map.of(
                "code",
                -32603,
                "message",
                "The tunnel to the MCP server closed before the response: " + reason,
                "data",
                Map.of("tunnelFailure", Map.of("source", "transport_closed")));
        return json.writeValueAsString(Map.of("jsonrpc", "2.0", "id", request.get("id"), "error", error));
    }
}
