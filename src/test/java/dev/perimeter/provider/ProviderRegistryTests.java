package dev.perimeter.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.shared.ValidationFailedException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTests {

    @Test
    void aKnownButUnconfiguredProviderIsNotAllowedAndNamesItsMissingSettings() {
        ProviderRegistry registry = new ProviderRegistry(
                List.of(), List.of(new UnconfiguredProvider("daytona", List.of("DAYTONA_API_KEY"))));

        assertThat(registry.find("daytona")).isEmpty();
        assertThat(registry.types()).doesNotContain("daytona");
        assertThatThrownBy(() -> registry.get("daytona"))
                .isInstanceOfSatisfying(ProviderNotConfiguredException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(403);
                    assertThat(e.getBody().getType().toString()).endsWith("/provider-not-allowed");
                    assertThat(e.getBody().getDetail()).contains("DAYTONA_API_KEY");
                });
        assertThatThrownBy(() -> registry.get("nimbus")).isInstanceOf(ValidationFailedException.class);
    }
}
