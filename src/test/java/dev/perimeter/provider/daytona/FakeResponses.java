package dev.perimeter.provider.daytona;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Daytona's answers: JSON bodies, and errors as its API writes them ({@code statusCode}, {@code message}, {@code error}). */
final class FakeResponses {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<Integer, String> REASONS = Map.of(
            400, "Bad Request",
            401, "Unauthorized",
            404, "Not Found",
            408, "Request Timeout",
            409, "Conflict",
            415, "Unsupported Media Type");

    private FakeResponses() {}

    static ResponseDefinition json(int status, JsonNode body) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(JSON.writeValueAsBytes(body))
                .build();
    }

    static ResponseDefinition error(int status, String ignoredTitle, String message) {
        var body = JSON.createObjectNode()
                .put("statusCode", status)
                .put("message", message)
                .put("error", REASONS.getOrDefault(status, "Error"));
        return json(status, body);
    }

    static ResponseDefinition empty(int status) {
        return aResponse().withStatus(status).build();
    }

    static ResponseDefinition bytes(byte[] content) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withBody(content)
                .build();
    }
}
