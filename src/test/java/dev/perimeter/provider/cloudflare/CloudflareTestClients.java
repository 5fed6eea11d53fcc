package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.http.VendorHttp;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Bridge clients for tests, with short backoffs. */
final class CloudflareTestClients {

    private CloudflareTestClients() {}

    static BridgeClient client(String baseUrl, String token, Duration requestTimeout, int attempts) {
        VendorHttp http = new VendorHttp(
                "cloudflare",
                new VendorHttp.Settings(
                        Duration.ofSeconds(2),
                        requestTimeout,
                        attempts,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(3),
                        100,
                        Duration.ofSeconds(30)),
                () -> Map.of("Authorization", "Bearer " + token));
        return new BridgeClient(http, URI.create(baseUrl), requestTimeout, requestTimeout, Duration.ofSeconds(2));
    }
}
