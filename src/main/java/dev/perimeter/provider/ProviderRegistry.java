package dev.perimeter.provider;

import dev.perimeter.shared.ValidationFailedException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Every configured {@link SandboxProvider}, by {@link SandboxProvider#type()}. Refuses to start when two providers
 * claim the same type.
 */
@Component
public class ProviderRegistry {

    private final Map<String, SandboxProvider> byType;

    ProviderRegistry(List<SandboxProvider> providers) {
        Map<String, SandboxProvider> map = new TreeMap<>();
        for (SandboxProvider provider : providers) {
            SandboxProvider previous = map.putIfAbsent(provider.type(), provider);
            if (previous != null) {
                throw new IllegalStateException("Two sandbox providers claim the type '" + provider.type() + "': "
                        + previous.getClass().getName() + " and "
                        + provider.getClass().getName());
            }
        }
        this.byType = Collections.unmodifiableMap(map);
    }

    /** The provider of that type, if it is configured. */
    public Optional<SandboxProvider> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** The provider of that type; a request naming an unconfigured one is invalid. */
    public SandboxProvider get(String type) {
        return find(type)
                .orElseThrow(() -> new ValidationFailedException(
                        "provider", "'" + type + "' is not configured here; configured: " + byType.keySet()));
    }

    /** The names of all configured providers. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
