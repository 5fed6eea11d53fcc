package dev.perimeter.connector.anthropic;

import org.springframework.stereotype.Component;

/** Reads a binding's environment key from where its reference points, at each use. */
@Component
class EnvironmentKeys {

    /** The key; throws {@link KeyReference.UnresolvableKeyException} naming the reference when it points at none. */
    String of(EnvironmentBinding binding) {
        return KeyReference.parse(binding.environmentKeyRef()).resolve(System::getenv);
    }
}
