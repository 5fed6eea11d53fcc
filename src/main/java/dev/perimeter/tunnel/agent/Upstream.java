package dev.perimeter.tunnel.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * The private MCP server: its URL, the ranges its address must fall in, and pools of keep-alive connections to it.
 * Each tunnel connection has its own pool on its own event loop, so a relayed call's upstream socket is served by the
 * same thread as the WebSocket that carries it and no call hops between threads. Bytes pass through as sent: no
 * decompression, no cookies, no redirects, no retries. Every new connection resolves the host through the {@link
 * RangeCheckingResolver}.
 */
final class Upstream {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final URI url;
    private final String host;
    private final String target;
    private final RangeCheckingResolver resolver;
    private final @Nullable SslContext tls;

    Upstream(URI url, AddressRanges allowed) {
        this.url = url;
        this.host = url.getPort() == -1 ? url.getHost() : url.getHost() + ":" + url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        this.resolver = new RangeCheckingResolver(allowed);
        this.tls = "https".equals(url.getScheme()) ? ClientTls.jdkTrusted() : null;
    }

    /** A pool of connections to the upstream whose sockets are served by {@code loop}; {@code handler} reads them. */
    ChannelPool pool(EventLoop loop, UpstreamCall.Reader handler) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .resolver(resolver)
                .remoteAddress(InetSocketAddress.createUnresolved(url.getHost(), port()));
        return new SimpleChannelPool(
                bootstrap,
                new AbstractChannelPoolHandler() {
                    @Override
                    public void channelCreated(Channel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc(), url.getHost(), port()));
                        }
                        channel.pipeline()
                                .addLast(new HttpClientCodec(4096, MAX_HEAD_BYTES, UpstreamCall.MAX_CHUNK))
                                .addLast(handler);
                    }
                },
                ChannelHealthChecker.ACTIVE);
    }

    private int port() {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return tls != null ? 443 : 80;
    }

    /** The {@code Host} header the upstream expects: its host and the port the URL names, never user information. */
    String host() {
        return host;
    }

    /** The request target (path and query) for what followed the tunnel's MCP URL (a query, usually nothing). */
    String target(String pathAndQuery) {
        if (pathAndQuery.isEmpty()) {
            return target;
        }
        if (pathAndQuery.startsWith("?") && url.getRawQuery() != null) {
            return target + "&" + pathAndQuery.substring(1);
        }
        return target + pathAndQuery;
    }

    /**
     * Why the upstream may not be called, or {@code null} when every address it resolves to now is allowed: checked
     * once at start-up, by the same {@link RangeCheckingResolver} that checks each connection the agent opens.
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
    public String toString() {
        return url.toString();
    }
}
