package dev.perimeter.shared.jpa;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Small JSON values (labels, lists of names) kept in {@code text} columns, without Hibernate's JSON mapping. */
final class JsonText {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonText() {}

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static <T> T read(String text, TypeReference<T> type) {
        return MAPPER.readValue(text, type);
    }
}
