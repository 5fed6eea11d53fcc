package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Dials Perimeter: a TCP connection (TLS for {@code wss://}, trusting the JDK's CAs), the WebSocket upgrade with the
 * tunnel token and the batching subprotocol, and an {@link AgentConnection} at the end of the pipeline. A refused
 * upgrade fails the dial with a {@link WebSocketClientHandshakeException} that carries Perimeter's response.
 */
final class TunnelDialer {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_HANDSHAKE_RESPONSE = 64 * 1024;

    private final EventLoopGroup loops;
    private final AgentSettings settings;
    private final Upstream upstream;
    private final @Nullable SslContext tls;

    TunnelDialer(EventLoopGroup loops, AgentSettings settings, Upstream upstream) {
        this.loops = loops;
        this.settings = settings;
        this.upstream = upstream;
        this.tls = "wss".equals(settings.tunnelUrl().getScheme()) ? ClientTls.jdkTrusted() : null;
    }

    /** Opens a connection that asks Perimeter to avoid the replicas named; completes once the upgrade succeeded. */
    CompletableFuture<AgentConnection> dial(List<String> avoid) {
        URI url = settings.tunnelUrl();
        String host = url.getHost();
        int port = url.getPort() != -1 ? url.getPort() : tls != null ? 443 : 80;
        HttpHeaders headers = new DefaultHttpHeaders()
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer " + settings.token())
                .add(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, TunnelFrame.BATCHING_PROTOCOL);
        if (!avoid.isEmpty()) {
            headers.add(TunnelFrame.AVOID_REPLICAS_HEADER, String.join(",", avoid));
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(url)
                .customHeaders(headers)
                .maxFramePayloadLength(TunnelFrame.MAX_FRAME)
                .handleCloseFrames(false)
                .generateOriginHeader(false)
                .handshakeTimeoutMillis(TIMEOUT.toMillis())
                .build();
        AgentConnection connection = new AgentConnection(upstream);
        new Bootstrap()
                .group(loops)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc(), host, port));
                        }
                        channel.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE))
                                .addLast(new SubprotocolChoice(connection))
                                .addLast(new WebSocketClientProtocolHandler(config))
                                .addLast(new WebSocketFrameAggregator(TunnelFrame.MAX_FRAME))
                                .addLast(connection);
                    }
                })
                .connect(host, port)
                .addListener(connected -> {
                    if (!connected.isSuccess()) {
                        connection.opened().completeExceptionally(connected.cause());
                    }
                });
        return connection.opened();
    }

    /** The status Perimeter refused the upgrade with, or 0 when the dial failed some other way. */
    static int refusedWith(@Nullable Throwable error) {
        return error instanceof WebSocketClientHandshakeException refused && refused.response() != null
                ? refused.response().status().code()
                : 0;
    }

    /**
     * Reads which subprotocol Perimeter chose off the upgrade response. The agent offers {@link
     * TunnelFrame#BATCHING_PROTOCOL} itself rather than through Netty's handshaker, which refuses a response that
     * chooses none, as a relay without batching would; the header is taken off the response before the handshaker
     * checks it, and the connection batches only if Perimeter chose it. Any other choice is left for the handshaker to
     * refuse.
     */
    static final class SubprotocolChoice extends ChannelInboundHandlerAdapter {

        private final AgentConnection connection;

        SubprotocolChoice(AgentConnection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof FullHttpResponse response) {
                String chosen = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
                if (TunnelFrame.BATCHING_PROTOCOL.equals(chosen)) {
                    connection.batching(true);
                    response.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
                }
                context.pipeline().remove(this);
            }
            context.fireChannelRead(message);
        }
    }
}
