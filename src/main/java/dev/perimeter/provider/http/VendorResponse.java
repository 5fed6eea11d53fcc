package dev.perimeter.provider.http;

import dev.perimeter.provider.ProviderErrorException;
import java.net.http.HttpHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A vendor's answer, read whole.
 *
 * @param provider the provider that asked, for error messages
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body
 */
public record VendorResponse(String provider, int status, HttpHeaders headers, byte[] body) {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The body as JSON; a body that is not JSON is a {@code provider-error}. */
    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ProviderErrorException(
                    provider, "Provider '" + provider + "' answered " + status + " with malformed JSON", e);
        }
    }

    /** The body mapped to a type; a body that does not map is a {@code provider-error}. */
    public <T> T json(Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (JacksonException e) {
            throw new ProviderErrorException(
                    provider,
                    "Provider '" + provider + "' answered " + status + " with JSON that is not a "
                            + type.getSimpleName(),
                    e);
        }
    }
}
