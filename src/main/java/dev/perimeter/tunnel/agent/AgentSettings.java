package dev.perimeter.tunnel.agent;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What the agent needs: where to dial, with which token, and where the private MCP server is. Each comes from a flag
 * ({@code --url=…}) or else the environment ({@code MCP_TUNNEL_URL}).
 *
 * @param tunnelUrl the tunnel's {@code connectUrl} ({@code MCP_TUNNEL_URL}, {@code --url})
 * @param token the tunnel token ({@code MCP_TUNNEL_TOKEN}, {@code --token})
 * @param upstream the private MCP server's endpoint ({@code MCP_UPSTREAM_URL}, {@code --upstream})
 * @param connections connections kept open at once ({@code MCP_TUNNEL_CONNECTIONS}, {@code --connections}; 2)
 * @param allowedRanges CIDR blocks the upstream must resolve into ({@code MCP_UPSTREAM_ALLOWED_RANGES}, {@code
 *     --allowed-ranges}; loopback and private ranges)
 * @param heartbeatInterval how often the agent pings ({@code --heartbeat-interval}; PT10S)
 * @param heartbeatTolerance silence after which a connection is dropped and redialled ({@code
 *     --heartbeat-tolerance}; PT30S)
 * @param backoffBase first reconnect wait cap ({@code --backoff-base}; PT1S)
 * @param backoffMax largest reconnect wait cap ({@code --backoff-max}; PT60S)
 * @param stablePeriod uptime after which the backoff starts over ({@code --stable-period}; PT30S)
 * @param carrierThreads event-loop threads that carry the agent's traffic ({@code MCP_TUNNEL_CARRIER_THREADS}, {@code
 *     --carrier-threads}; 1): a relayed call is a few short steps between sockets, and on one thread they follow one
 *     another without waking a second
 */
public record AgentSettings(
        URI tunnelUrl,
        String token,
        URI upstream,
        int connections,
        String allowedRanges,
        Duration heartbeatInterval,
        Duration heartbeatTolerance,
        Duration backoffBase,
        Duration backoffMax,
        Duration stablePeriod,
        int carrierThreads) {

    public AgentSettings {
        if (!"ws".equals(tunnelUrl.getScheme()) && !"wss".equals(tunnelUrl.getScheme())) {
            throw new IllegalArgumentException("The tunnel URL must be ws:// or wss://, not " + tunnelUrl.getScheme());
        }
        if (!"http".equals(upstream.getScheme()) && !"https".equals(upstream.getScheme())) {
            throw new IllegalArgumentException("The upstream URL must be http:// or https://");
        }
        if (upstream.getHost() == null) {
            throw new IllegalArgumentException("The upstream URL has no host");
        }
        if (token.isBlank()) {
            throw new IllegalArgumentException("The tunnel token is empty");
        }
        if (connections < 1 || connections > 16) {
            throw new IllegalArgumentException("connections must be between 1 and 16");
        }
        if (carrierThreads < 1 || carrierThreads > 256) {
            throw new IllegalArgumentException("carrier threads must be between 1 and 256");
        }
        AddressRanges.parse(allowedRanges);
    }

    /** Default settings for a tunnel and upstream. */
    public static AgentSettings of(URI tunnelUrl, String token, URI upstream) {
        return new AgentSettings(
                tunnelUrl,
                token,
                upstream,
                2,
                AddressRanges.DEFAULT,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30),
                1);
    }

    /** Reads flags first, then the environment; a missing or malformed setting is an IllegalArgumentException. */
    public static AgentSettings from(String[] args, Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("Unknown argument '" + arg + "'; use --name=value");
            }
            flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        String url = required(flags, env, "url", "MCP_TUNNEL_URL");
        String token = required(flags, env, "token", "MCP_TUNNEL_TOKEN");
        String upstream = required(flags, env, "upstream", "MCP_UPSTREAM_URL");
        AgentSettings defaults = of(URI.create(url), token, URI.create(upstream));
        return new AgentSettings(
                defaults.tunnelUrl(),
                token,
                defaults.upstream(),
                integer(optional(flags, env, "connections", "MCP_TUNNEL_CONNECTIONS", "2"), "connections"),
                optional(flags, env, "allowed-ranges", "MCP_UPSTREAM_ALLOWED_RANGES", AddressRanges.DEFAULT),
                duration(flags, "heartbeat-interval", defaults.heartbeatInterval()),
                duration(flags, "heartbeat-tolerance", defaults.heartbeatTolerance()),
                duration(flags, "backoff-base", defaults.backoffBase()),
                duration(flags, "backoff-max", defaults.backoffMax()),
                duration(flags, "stable-period", defaults.stablePeriod()),
                integer(optional(flags, env, "carrier-threads", "MCP_TUNNEL_CARRIER_THREADS", "1"), "carrier threads"));
    }

    private static String required(Map<String, String> flags, Map<String, String> env, String flag, String name) {
        String value = flags.getOrDefault(flag, env.get(name));
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Set " + name + " or --" + flag);
        }
        return value.strip();
    }

    private static String optional(
            Map<String, String> flags, Map<String, String> env, String flag, String name, String fallback) {
        String value = flags.getOrDefault(flag, env.get(name));
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static int integer(String value, String what) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value + "'");
        }
    }

    private static Duration duration(Map<String, String> flags, String flag, Duration fallback) {
        String value = flags.get(flag);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--" + flag + " must be an ISO-8601 duration such as PT10S, not '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return "AgentSettings[tunnelUrl=" + tunnelUrl + ", upstream=" + upstream + ", connections=" + connections
                + ", allowedRanges=" + allowedRanges + ", carrierThreads=" + carrierThreads + "]";
    }
}
