package dev.perimeter.tunnel;

import dev.perimeter.shared.ValidationFailedException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The route table of an Anthropic tunnel: subdomain of the tunnel's domain → the private MCP server's
 * {@code scheme://host[:port]}, as {@code mcp-proxy}'s {@code routes} wants it (the path and query of each call are
 * forwarded untouched, so the URL carries neither). Checked hard: anything else is refused with 400.
 */
record TunnelRoutes(SortedMap<String, String> table) {

    /** Most routes one tunnel keeps. */
    static final int MAX_ROUTES = 50;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}]");

    static final TunnelRoutes NONE = new TunnelRoutes(new TreeMap<>());

    TunnelRoutes {
        table = Collections.unmodifiableSortedMap(new TreeMap<>(table));
    }

    /** Checks a table as a tenant sent it; {@code null} is an empty table. */
    static TunnelRoutes of(@Nullable Map<String, String> requested) {
        if (requested == null || requested.isEmpty()) {
            return NONE;
        }
        if (requested.size() > MAX_ROUTES) {
            throw new ValidationFailedException("routes", "must hold at most " + MAX_ROUTES + " routes");
        }
        TreeMap<String, String> table = new TreeMap<>();
        requested.forEach((subdomain, url) -> {
            if (subdomain == null || !LABEL.matcher(subdomain).matches()) {
                throw new ValidationFailedException(
                        "routes", "keys must be DNS labels: 1-63 characters of a-z, 0-9 and '-', not at either end");
            }
            table.put(subdomain, checkUrl(subdomain, url));
        });
        return new TunnelRoutes(table);
    }

    private static String checkUrl(String subdomain, @Nullable String url) {
        String field = "routes." + subdomain;
        String rule =
                "must be http:// or https:// and a host with an optional port, without path, query or credentials";
        if (url == null || url.isEmpty() || url.length() > 300) {
            throw new ValidationFailedException(field, rule);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ValidationFailedException(field, rule);
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        boolean ok = ("http".equals(scheme) || "https".equals(scheme))
                && host != null
                && (HOST_NAME.matcher(host).matches() || IPV6.matcher(host).matches())
                && uri.getRawUserInfo() == null
                && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null
                && (uri.getPort() == -1 || (uri.getPort() >= 1 && uri.getPort() <= 65_535))
                && url.equals(scheme + "://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
        if (!ok) {
            throw new ValidationFailedException(field, rule);
        }
        return url;
    }

    /** The {@code mcp-proxy} configuration file serving this table for {@code domain}. */
    String proxyConfig(String domain, String listenAddr, String certFile, String keyFile) {
        StringBuilder yaml = new StringBuilder()
                .append("# mcp-proxy configuration for ")
                .append(domain)
                .append(", served by Perimeter\n")
                .append("listen_addr: ")
                .append(quoted(listenAddr))
                .append("\ntunnel_domain: ")
                .append(quoted(domain))
                .append("\ntls:\n  cert_file: ")
                .append(quoted(certFile))
                .append("\n  key_file: ")
                .append(quoted(keyFile))
                .append("\nroutes:");
        if (table.isEmpty()) {
            yaml.append(" {}");
        }
        table.forEach((subdomain, url) ->
                yaml.append("\n  ").append(subdomain).append(": ").append(quoted(url)));
        return yaml.append('\n').toString();
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
