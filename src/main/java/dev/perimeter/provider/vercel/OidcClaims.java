package dev.perimeter.provider.vercel;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The team and project a Vercel OIDC token names in its {@code owner_id} and {@code project_id} claims, read without
 * verifying the signature (Vercel verifies it; we only need to know where to send calls). Empty for a token that is not
 * a JWT.
 */
record OidcClaims(String ownerId, String projectId) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static OidcClaims of(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return new OidcClaims("", "");
        }
        try {
            JsonNode claims =
                    JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return new OidcClaims(text(claims, "owner_id"), text(claims, "project_id"));
        } catch (RuntimeException notAJwt) {
            return new OidcClaims("", "");
        }
    }

    private static String text(JsonNode claims, String name) {
        JsonNode value = claims.get(name);
        return value != null && value.isString() ? value.asString() : "";
    }
}
