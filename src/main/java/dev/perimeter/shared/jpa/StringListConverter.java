package dev.perimeter.shared.jpa;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;
import tools.jackson.core.type.TypeReference;

/** Stores a {@code List<String>} as a JSON array in a {@code text} column. */
@Converter
public class StringListConverter implements AttributeConverter<List<String>, String> {

    @Override
    public String convertToDatabaseColumn(List<String> attribute) {
        return JsonText.write(attribute);
    }

    @Override
    public List<String> convertToEntityAttribute(String column) {
        return List.copyOf(JsonText.read(column, new TypeReference<List<String>>() {}));
    }
}
