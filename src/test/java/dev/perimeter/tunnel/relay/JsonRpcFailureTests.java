package dev.perimeter.tunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonRpcFailureTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void answersTheRequestsIdAsAnInternalErrorEvent() {
        String event = JsonRpcFailure.event(
                json,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{}}"
                        .getBytes(StandardCharsets.UTF_8),
                "agent gone");
        assertThat(event).startsWith("event: message\ndata: {").endsWith("}\n\n");
        assertThat(event).contains("\"id\":2").contains("-32603").contains("transport_closed");
    }

    @Test
    void keepsStringIdsAndIgnoresNotificationsBatchesAndGarbage() {
        assertThat(JsonRpcFailure.event(
                        json,
                        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                        "r"))
                .contains("\"id\":\"a\"");
        for (String body : new String[] {
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}",
            "[{\"id\":1,\"method\":\"x\"}]",
            "{\"id\":1,",
            "",
            "null"
        }) {
            assertThat(JsonRpcFailure.event(json, body.getBytes(StandardCharsets.UTF_8), "r"))
                    .as(body)
                    .isNull();
        }
    }
}
