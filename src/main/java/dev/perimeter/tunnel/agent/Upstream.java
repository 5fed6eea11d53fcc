package dev.perimeter.tunnel.agent;

import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The private MCP server: its URL, the client that reaches it and the ranges its address must fall in. The client is
 * Apache HttpClient's classic (blocking) one: each relayed call reads and writes on its own virtual thread, with no
 * hand-off to a selector thread, and bytes pass through as sent (no decompression, no cookies, no redirects, no
 * retries). Its name resolution refuses addresses outside the allowed ranges.
 */
final class Upstream implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 1024;

    private final URI url;
    private final RangeCheckingResolver resolver;
    private final CloseableHttpClient client;

    Upstream(URI url, AddressRanges allowed) {
        this.url = url;
        this.resolver = new RangeCheckingResolver(allowed);
        this.client = HttpClients.custom()
                .setConnectionManager(new ConnectionManagerBuilder()
                        .setDnsResolver(resolver)
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(5, TimeUnit.SECONDS))
                                .setSocketTimeout(Timeout.DISABLED)
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.DISABLED)
                        .setConnectionRequestTimeout(Timeout.of(5, TimeUnit.SECONDS))
                        .build())
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableRedirectHandling()
                .build();
    }

    /** The pool's usual builder, except that its plain sockets are {@link UpstreamSockets}. */
    private static final class ConnectionManagerBuilder extends PoolingHttpClientConnectionManagerBuilder {

        @Override
        protected HttpClientConnectionOperator createConnectionOperator(
                SchemePortResolver ports, DnsResolver names, TlsSocketStrategy tls) {
            return new DefaultHttpClientConnectionOperator(
                    new UpstreamSockets(),
                    ports,
                    names,
                    RegistryBuilder.<TlsSocketStrategy>create()
                            .register(URIScheme.HTTPS.id, tls)
                            .build());
        }
    }

    CloseableHttpClient client() {
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

    /**
     * Why the upstream may not be called, or {@code null} when every address it resolves to now is allowed: checked
     * once at start-up, by the same {@link RangeCheckingResolver} that checks each connection the client opens.
     */
    @Nullable
    String refusal() {
        try {
            resolver.resolve(url.getHost());
            return null;
        } catch (RangeCheckingResolver.RefusedAddressException e) {
            return e.getMessage();
        } catch (UnknownHostException e) {
            return "the upstream host " + url.getHost() + " does not resolve";
        }
    }

    @Override
    public void close() {
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
