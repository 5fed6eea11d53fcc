package dev.perimeter.provider.daytona;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** A Daytona provider pointed at a {@link DaytonaFake}, with short timeouts for tests. */
final class DaytonaTesting {

    private DaytonaTesting() {}

    static DaytonaProviderProperties properties(String apiUrl, Duration requestTimeout) {
        return new DaytonaProviderProperties(
                DaytonaFake.API_KEY,
                URI.create(apiUrl),
                "us",
                Set.of("us", "eu"),
                new DaytonaProviderProperties.Connection(
                        Duration.ofSeconds(2),
                        requestTimeout,
                        3,
                        Duration.ofMillis(20),
                        Duration.ofSeconds(2),
                        20,
                        Duration.ofSeconds(30),
                        Duration.ofMillis(20),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10)),
                new DaytonaProviderProperties.Sandbox("/home/daytona", 3, Duration.ofMinutes(5)));
    }

    static DaytonaSandboxProvider provider(DaytonaFake fake, Duration requestTimeout) {
        DaytonaProviderProperties properties = properties(fake.apiUrl(), requestTimeout);
        return new DaytonaSandboxProvider(properties, DaytonaProviderConfiguration.http(properties), Clock.systemUTC());
    }
}
