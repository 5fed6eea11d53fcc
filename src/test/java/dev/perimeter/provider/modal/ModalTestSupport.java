package dev.perimeter.provider.modal;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Properties that point the provider at a {@link FakeModal}. */
final class ModalTestSupport {

    private ModalTestSupport() {}

    static ModalProviderProperties properties(Duration requestTimeout, @Nullable String gpu, List<String> regions) {
        return new ModalProviderProperties(
                FakeModal.TOKEN_ID,
                FakeModal.TOKEN_SECRET,
                URI.create(FakeModal.SERVER_URL),
                "perimeter-tests",
                "",
                regions,
                gpu,
                Duration.ofHours(24),
                "debian:bookworm-slim",
                requestTimeout,
                4,
                Duration.ofMillis(20),
                Duration.ofSeconds(5));
    }

    static ModalProviderProperties properties() {
        return properties(Duration.ofSeconds(10), null, List.of());
    }
}
