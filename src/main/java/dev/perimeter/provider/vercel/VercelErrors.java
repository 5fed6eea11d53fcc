package dev.perimeter.provider.vercel;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.http.VendorResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/** Vercel's error body, {@code {"error":{"code","message"}}}, turned into a {@code provider-error}. */
final class VercelErrors {

    private static final int MAX_MESSAGE = 400;

    private VercelErrors() {}

    /** The refusal, with any occurrence of {@code secret} (the token) blanked out of Vercel's message. */
    static ProviderErrorException refused(String what, VendorResponse response, String secret) {
        String message = message(response);
        if (secret.length() >= 8) {
            message = message.replace(secret, "[redacted]");
        }
        return new ProviderErrorException(
                VercelSandboxProvider.TYPE,
                "Vercel refused to " + what + " with " + response.status() + ": " + message,
                null);
    }

    private static String message(VendorResponse response) {
        String text = new String(response.body(), StandardCharsets.UTF_8).strip();
        try {
            JsonNode error = response.json().path("error");
            if (error.isObject()) {
                text = error.path("code").asString("error") + ": "
                        + error.path("message").asString("(no message)");
            }
        } catch (RuntimeException notJson) {
            // the body is text, or nothing
        }
        String clean = text.replaceAll("\\p{Cntrl}", " ");
        return clean.length() > MAX_MESSAGE ? clean.substring(0, MAX_MESSAGE) + "…" : clean;
    }
}
