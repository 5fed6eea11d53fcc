package dev.perimeter.provider.vercel;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.http.VendorHttp;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** A {@link VercelSandboxProvider} wired to a {@link FakeVercel}, with short timeouts for tests. */
final class VercelTestProviders {

    private VercelTestProviders() {}

    static VercelProviderProperties properties(String apiUrl, Duration requestTimeout) {
        return properties(apiUrl, requestTimeout, Duration.ZERO);
    }

    static VercelProviderProperties properties(String apiUrl, Duration requestTimeout, Duration snapshotExpiration) {
        return new VercelProviderProperties(
                FakeVercel.TOKEN,
                "",
                FakeVercel.TEAM,
                FakeVercel.PROJECT,
                URI.create(apiUrl),
                Duration.ofSeconds(2),
                requestTimeout,
                3,
                Duration.ofHours(5),
                snapshotExpiration);
    }

    static SandboxProvider against(FakeVercel fake, Duration requestTimeout) {
        return against(properties(fake.baseUrl(), requestTimeout));
    }

    static SandboxProvider against(VercelProviderProperties properties) {
        Duration requestTimeout = properties.requestTimeout();
        VendorHttp http = new VendorHttp(
                VercelSandboxProvider.TYPE,
                new VendorHttp.Settings(
                        Duration.ofSeconds(2),
                        requestTimeout,
                        3,
                        Duration.ofMillis(20),
                        Duration.ofSeconds(3),
                        100,
                        Duration.ofSeconds(30)),
                () -> Map.of("Authorization", "Bearer " + FakeVercel.TOKEN));
        return new VercelSandboxProvider(new VercelApi(http, properties), properties);
    }
}
