package dev.perimeter.web;

import dev.perimeter.shared.NulAllowed;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.jackson.JsonNodeDeserializer;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.module.SimpleModule;

/**
 * What text a request body may hold: no U+0000 (PostgreSQL's {@code text} cannot store it; fields marked
 * {@link NulAllowed} may) and no unpaired surrogate (UTF-8 cannot encode it, so it would be stored as {@code ?}). The
 * module checks every string value, every object key and every string in a {@link JsonNode} body as it is read, so a
 * hostile string is a {@code validation-failed} problem naming the field instead of a database error or silently
 * changed data. Only request bodies bound by Spring MVC are checked; relayed MCP calls and provider responses are not.
 */
final class RequestText extends SimpleModule {

    RequestText() {
        super(RequestText.class.getSimpleName());
        addDeserializer(String.class, new CheckedString(false));
        addKeyDeserializer(String.class, new CheckedKey());
        addDeserializer(JsonNode.class, new CheckedTree());
    }

    /** Why the text is refused, or {@code null} if it is acceptable. */
    static @Nullable String problemOf(String text, boolean nulAllowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0' && !nulAllowed) {
                return "must not contain NUL (U+0000) characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must be valid Unicode: it holds an unpaired surrogate";
            }
        }
        return null;
    }

    private static InvalidFormatException refused(JsonParser parser, String text, String problem) {
        return InvalidFormatException.from(parser, problem, text, String.class);
    }

    private static final class CheckedString extends StdScalarDeserializer<String> {

        private final boolean nulAllowed;

        CheckedString(boolean nulAllowed) {
            super(String.class);
            this.nulAllowed = nulAllowed;
        }

        @Override
        public ValueDeserializer<?> createContextual(DeserializationContext context, @Nullable BeanProperty property) {
            boolean allowed = property != null && property.getAnnotation(NulAllowed.class) != null;
            return allowed == nulAllowed ? this : new CheckedString(allowed);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) {
            String text = StringDeserializer.instance.deserialize(parser, context);
            String problem = text == null ? null : problemOf(text, nulAllowed);
            if (problem != null) {
                throw refused(parser, text, problem);
            }
            return text;
        }
    }

    private static final class CheckedKey extends KeyDeserializer {

        @Override
        public Object deserializeKey(String key, DeserializationContext context) {
            String problem = problemOf(key, false);
            if (problem != null) {
                throw refused(context.getParser(), key, "keys " + problem);
            }
            return key;
        }
    }

    /** A body bound as a tree (a merge patch, a request read field by field) is checked whole once read. */
    private static final class CheckedTree extends StdDeserializer<JsonNode> {

        private final ValueDeserializer<?> trees = JsonNodeDeserializer.getDeserializer(JsonNode.class);

        CheckedTree() {
            super(JsonNode.class);
        }

        @Override
        public JsonNode deserialize(JsonParser parser, DeserializationContext context) {
            JsonNode tree = (JsonNode) trees.deserialize(parser, context);
            check(parser, tree);
            return tree;
        }

        @Override
        public Object getNullValue(DeserializationContext context) {
            return trees.getNullValue(context);
        }

        @Override
        public Object getAbsentValue(DeserializationContext context) {
            return trees.getAbsentValue(context);
        }

        private static void check(JsonParser parser, JsonNode node) {
            if (node.isString()) {
                String problem = problemOf(node.asString(), false);
                if (problem != null) {
                    throw refused(parser, node.asString(), problem);
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    try {
                        check(parser, node.get(i));
                    } catch (InvalidFormatException e) {
                        throw (InvalidFormatException) e.prependPath(node, i);
                    }
                }
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> member : node.properties()) {
                    String problem = problemOf(member.getKey(), false);
                    if (problem != null) {
                        throw refused(parser, member.getKey(), "keys " + problem);
                    }
                    try {
                        check(parser, member.getValue());
                    } catch (InvalidFormatException e) {
                        throw (InvalidFormatException) e.prependPath(node, member.getKey());
                    }
                }
            }
        }
    }
}
