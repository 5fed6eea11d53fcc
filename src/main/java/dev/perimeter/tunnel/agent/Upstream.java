package dev.perimeter.tunnel.agent;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/** The private MCP server: its URL, the client that reaches it and the ranges its address must fall in. */
final class Upstream {

    private final URI url;
    private final AddressRanges allowed;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    Upstream(URI url, AddressRanges allowed) {
        this.url = url;
        this.allowed = allowed;
    }

    HttpClient client() {
        return client;
    }

    /** The upstream URL for what followed the tunnel's MCP URL (a query, usually nothing). */
    URI target(String pathAndQuery) {
        if (pathAndQuery.isEmpty()) {
            return url;
        }
        String base = url.toString();
        if (pathAndQuery.startsWith("?") && url.getRawQuery() != null) {
            return URI.create(base + "&" + pathAndQuery.substring(1));
        }
        return URI.create(base + pathAndQuery);
    }

    /** Why the upstream may not be called now, or {@code null} when every address it resolves to is allowed. */
    @Nullable
    String refusal() {
        try {
            InetAddress outside = allowed.firstOutside(url.getHost());
            return outside == null
                    ? null
                    : "the upstream " + url.getHost() + " resolves to " + outside.getHostAddress()
                            + ", outside the allowed ranges " + allowed;
        } catch (UnknownHostException e) {
            return "the upstream host " + url.getHost() + " does not resolve";
        }
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
