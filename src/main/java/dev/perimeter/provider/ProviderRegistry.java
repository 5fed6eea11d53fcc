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
    private final Map<String, UnconfiguredProvider> unconfigured;

    ProviderRegistry(List<SandboxProvider> providers, List<UnconfiguredProvider> unconfigured) {
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
        Map<String, UnconfiguredProvider> absent = new TreeMap<>();
        unconfigured.stream()
                .filter(provider -> !map.containsKey(provider.type()))
                .forEach(provider -> absent.put(provider.type(), provider));
        this.unconfigured = Collections.unmodifiableMap(absent);
    }

    /** The provider of that type, if it is configured. */
    public Optional<SandboxProvider> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * The provider of that type. A provider Perimeter knows but this deployment has not configured is refused with
     * {@code provider-not-allowed} naming its missing settings; a name nobody knows is invalid.
     */
    public SandboxProvider get(String type) {
        UnconfiguredProvider absent = unconfigured.get(type);
        if (absent != null) {
            throw new ProviderNotConfiguredException(absent);
        }
        return find(type)
                .orElseThrow(() -> new ValidationFailedException(
                        "provider", "'" + type + "' is not configured here; configured: " + byType.keySet()));
    }

    /** Every configured provider. */
    public List<SandboxProvider> all() {
        return List.copyOf(byType.values());
    }

    /** The names of all configured providers. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
