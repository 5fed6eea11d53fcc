package dev.perimeter.shared.jpa;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;

/** Stores a {@code Map<String, String>} as a JSON object in a {@code text} column, keys sorted. */
@Converter
public class StringMapConverter implements AttributeConverter<Map<String, String>, String> {

    @Override
    public String convertToDatabaseColumn(Map<String, String> attribute) {
        return JsonText.write(new TreeMap<>(attribute));
    }

    @Override
    public Map<String, String> convertToEntityAttribute(String column) {
        return JsonText.read(column, new TypeReference<TreeMap<String, String>>() {});
    }
}
