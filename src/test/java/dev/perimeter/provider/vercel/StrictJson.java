package dev.perimeter.provider.vercel;

import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fake's strict reading of a JSON body: only the fields the SDK sends, each of the type and unit the API takes;
 * anything else is a {@code 400 bad_request}, as Vercel's validation answers it.
 */
final class StrictJson {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private StrictJson() {}

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (!node.isObject()) {
                throw VercelError.badRequest("The request body must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw VercelError.badRequest("The request body is not valid JSON");
        }
    }

    static void onlyFields(JsonNode body, Set<String> allowed, String what) {
        for (String name : body.propertyNames()) {
            if (!allowed.contains(name)) {
                throw VercelError.badRequest(
                        "Invalid request: " + what + " should NOT have additional property `" + name + "`");
            }
        }
    }

    static String string(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw VercelError.badRequest("Invalid request: missing required property `" + field + "`");
            }
            return "";
        }
        if (!value.isString()) {
            throw VercelError.badRequest("Invalid request: `" + field + "` should be string");
        }
        return value.asString();
    }

    static long integer(JsonNode body, String field, long min, long max, long fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber()) {
            throw VercelError.badRequest("Invalid request: `" + field + "` should be integer");
        }
        long number = value.asLong();
        if (number < min || number > max) {
            throw VercelError.badRequest(
                    "Invalid request: `" + field + "` should be between " + min + " and " + max + ", got " + number);
        }
        return number;
    }

    static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw VercelError.badRequest("Invalid request: `" + field + "` should be boolean");
        }
        return value.asBoolean();
    }

    static void stringMap(JsonNode body, String field, int maxEntries) {
        JsonNode value = body.get(field);
        if (value == null) {
            return;
        }
        if (!value.isObject()) {
            throw VercelError.badRequest("Invalid request: `" + field + "` should be object");
        }
        if (value.size() > maxEntries) {
            throw VercelError.badRequest(
                    "Invalid request: `" + field + "` should NOT have more than " + maxEntries + " properties");
        }
        for (JsonNode entry : value) {
            if (!entry.isString()) {
                throw VercelError.badRequest("Invalid request: `" + field + "` values should be string");
            }
        }
    }

    static void stringArray(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null) {
            return;
        }
        if (!value.isArray()) {
            throw VercelError.badRequest("Invalid request: `" + field + "` should be array");
        }
        for (JsonNode entry : value) {
            if (!entry.isString()) {
                throw VercelError.badRequest("Invalid request: `" + field + "` items should be string");
            }
        }
    }
}
