package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One relayed stream, driven by events on its tunnel connection's event loop: the request goes to the private MCP
 * server on a pooled keep-alive connection, and the response goes back as frames as its bytes arrive. A small request
 * body (the usual JSON-RPC message) is sent whole with its length; a larger one streams, chunked. Body bytes are
 * bounded both ways by the tunnel's windows: the relay is granted more only once the upstream socket took what it sent,
 * and the upstream is read only while the relay's window is open. A reset from the relay (the caller went away) closes
 * the upstream connection.
 */
final class UpstreamCall {

    /** Largest body chunk read from the upstream at once: one {@code DATA} frame. */
    static final int MAX_CHUNK = TunnelFrame.MAX_DATA;

    private static final String CORRELATION_HEADER = "X-Correlation-Id";
    private static final int SMALL_BODY = 64 * 1024;
    private static final AttributeKey<UpstreamCall> CALL = AttributeKey.valueOf("perimeter-tunnel-call");

    private final AgentConnection connection;
    private final int id;
    private final TunnelHeads.Request head;
    private final long start = System.nanoTime();
    private @Nullable Channel upstream;
    private boolean finished;

    private final List<byte[]> bodyAhead = new ArrayList<>();
    private int bodyAheadBytes;
    private boolean requestStarted;
    private boolean requestEnded;
    private boolean requestSent;
    private int unconsumed;
    private int consumedSinceGrant;

    private int credit = TunnelFrame.INITIAL_WINDOW;
    private final ArrayDeque<byte[]> responseAhead = new ArrayDeque<>();
    private @Nullable HttpResponseStatus status;
    private boolean informational;
    private boolean responseEnded;
    private boolean keepAlive;

    UpstreamCall(AgentConnection connection, int id, TunnelHeads.Request head) {
        this.connection = connection;
        this.id = id;
        this.head = head;
    }

    /** Takes a connection to the upstream from the pool; the request goes out once it has one. */
    void start() {
        connection.upstreams().acquire().addListener((Future<Channel> acquired) -> {
            if (!acquired.isSuccess()) {
                upstreamFailed(acquired.cause());
            } else if (finished) {
                acquired.getNow().close();
            } else {
                upstream = acquired.getNow();
                upstream.attr(CALL).set(this);
                sendRequest();
            }
        });
    }

    /** Frames from the relay for this stream, in order. */
    void received(List<TunnelFrame> frames) {
        for (TunnelFrame frame : frames) {
            if (finished) {
                return;
            }
            switch (frame.type()) {
                case DATA -> receivedBody(frame.payload());
                case END -> {
                    requestEnded = true;
                    if (requestStarted && !requestSent) {
                        requestSent = true;
                        write(LastHttpContent.EMPTY_LAST_CONTENT, 0);
                    }
                }
                case WINDOW -> {
                    credit = (int) Math.min(Integer.MAX_VALUE, (long) credit + Math.max(0, frame.windowIncrement()));
                    sendResponseAhead();
                }
                case RESET -> cancel(frame.reason());
                default -> {}
            }
        }
        sendRequest();
    }

    private void receivedBody(byte[] bytes) {
        unconsumed += bytes.length;
        if (unconsumed > TunnelFrame.INITIAL_WINDOW + TunnelFrame.MAX_DATA) {
            reset("flow control violated");
        } else if (requestStarted) {
            write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)), bytes.length);
        } else {
            bodyAhead.add(bytes);
            bodyAheadBytes += bytes.length;
        }
    }

    /** Starts the request once there is a connection and enough of the body to choose how to send it. */
    private void sendRequest() {
        if (requestStarted || finished || upstream == null) {
            return;
        }
        boolean hasBody = head.method().equals("POST");
        if (hasBody && !requestEnded && bodyAheadBytes <= SMALL_BODY) {
            return;
        }
        requestStarted = true;
        HttpHeaders headers = new DefaultHttpHeaders()
                .add(HttpHeaderNames.HOST, connection.upstream().host())
                .add(CORRELATION_HEADER, head.correlationId());
        try {
            for (TunnelHeads.Header header : head.headers()) {
                if (TunnelHeads.forwardsRequestHeader(header.name())) {
                    headers.add(header.name(), header.value());
                }
            }
        } catch (IllegalArgumentException e) {
            reset("malformed request head");
            return;
        }
        HttpMethod method = HttpMethod.valueOf(head.method());
        String target = connection.upstream().target(head.pathAndQuery());
        int ahead = bodyAheadBytes;
        if (!hasBody || requestEnded) {
            byte[] body = hasBody ? joined(bodyAhead, bodyAheadBytes) : new byte[0];
            if (hasBody) {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            requestSent = true;
            write(
                    new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1,
                            method,
                            target,
                            Unpooled.wrappedBuffer(body),
                            headers,
                            DefaultHttpHeaders.EMPTY_HEADERS),
                    ahead);
        } else {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, headers), 0);
            for (byte[] chunk : bodyAhead) {
                write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)), chunk.length);
            }
        }
        bodyAhead.clear();
        bodyAheadBytes = 0;
    }

    /** Writes to the upstream; once the socket took {@code bodyBytes} of body, the relay may send that many more. */
    private void write(Object message, int bodyBytes) {
        Channel channel = upstream;
        if (channel == null) {
            ReferenceCountUtil.release(message);
            return;
        }
        channel.writeAndFlush(message).addListener(written -> {
            if (written.isSuccess()) {
                consumed(bodyBytes);
            } else {
                upstreamFailed(written.cause());
            }
        });
    }

    private void consumed(int bytes) {
        unconsumed -= bytes;
        consumedSinceGrant += bytes;
        if (consumedSinceGrant >= TunnelFrame.INITIAL_WINDOW / 2 && !finished) {
            connection.send(TunnelFrame.window(id, consumedSinceGrant));
            consumedSinceGrant = 0;
        }
    }

    /** What the upstream sent: the response head, body chunks and its end. */
    private void responded(HttpObject message) {
        if (finished) {
            return;
        }
        if (message instanceof HttpResponse response) {
            informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (!informational) {
                status = response.status();
                keepAlive = HttpUtil.isKeepAlive(response);
                connection.send(new TunnelFrame(
                        TunnelFrame.Type.HEAD,
                        id,
                        TunnelHeads.encode(new TunnelHeads.Response(status.code(), forwarded(response.headers())))));
            }
        }
        if (message instanceof HttpContent content && !informational) {
            if (content.content().isReadable()) {
                responseAhead.add(ByteBufUtil.getBytes(content.content()));
            }
            if (content instanceof LastHttpContent) {
                responseEnded = true;
            }
            sendResponseAhead();
        } else if (message instanceof LastHttpContent) {
            informational = false;
        }
    }

    /** Sends what the window allows; reads from the upstream wait while the rest does not fit. */
    private void sendResponseAhead() {
        if (finished || status == null) {
            return;
        }
        sendWhatFits();
        Channel channel = upstream;
        if (channel != null) {
            boolean open = responseAhead.isEmpty();
            if (channel.config().isAutoRead() != open) {
                channel.config().setAutoRead(open);
            }
        }
        if (responseEnded && responseAhead.isEmpty()) {
            connection.send(TunnelFrame.of(TunnelFrame.Type.END, id));
            JsonLog.info(
                    "relayed",
                    "correlationId",
                    head.correlationId(),
                    "method",
                    head.method(),
                    "status",
                    status.code(),
                    "ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            finish(keepAlive && requestSent);
        }
    }

    private void sendWhatFits() {
        while (!responseAhead.isEmpty() && credit > 0) {
            byte[] chunk = responseAhead.poll();
            int n = Math.min(chunk.length, credit);
            if (n < chunk.length) {
                responseAhead.addFirst(java.util.Arrays.copyOfRange(chunk, n, chunk.length));
                chunk = java.util.Arrays.copyOf(chunk, n);
            }
            connection.send(new TunnelFrame(TunnelFrame.Type.DATA, id, chunk));
            credit -= n;
        }
    }

    /** The upstream connection failed or closed before the response ended. */
    private void upstreamFailed(Throwable cause) {
        if (finished) {
            return;
        }
        if (cause instanceof RangeCheckingResolver.RefusedAddressException) {
            JsonLog.warn("upstream refused", "correlationId", head.correlationId(), "reason", cause.getMessage());
            answerProblem(502, "tunnel-upstream-refused", "The agent refuses its upstream: " + cause.getMessage());
        } else if (status == null) {
            JsonLog.warn("upstream unreachable", "correlationId", head.correlationId(), "error", cause.toString());
            answerProblem(502, "tunnel-upstream-unreachable", "The private MCP server could not be reached");
        } else {
            JsonLog.warn(
                    "upstream failed mid-response", "correlationId", head.correlationId(), "error", cause.toString());
            sendWhatFits();
            connection.send(TunnelFrame.reset(id, "the private MCP server failed: " + cause.getMessage()));
        }
        finish(false);
    }

    /** The relay reset the stream (the caller went away) or the tunnel connection dropped. */
    void cancel(String reason) {
        if (!finished) {
            JsonLog.info("caller went away", "correlationId", head.correlationId(), "reason", reason);
            finish(false);
        }
    }

    private void reset(String reason) {
        if (!finished) {
            connection.send(TunnelFrame.reset(id, reason));
            finish(false);
        }
    }

    /** Ends the call: a connection whose exchange completed cleanly goes back to the pool, any other is closed. */
    private void finish(boolean reusable) {
        finished = true;
        connection.forget(id);
        responseAhead.clear();
        bodyAhead.clear();
        Channel channel = upstream;
        if (channel == null) {
            return;
        }
        upstream = null;
        channel.attr(CALL).set(null);
        if (reusable && channel.isActive()) {
            channel.config().setAutoRead(true);
            connection.upstreams().release(channel);
        } else {
            channel.close();
        }
    }

    private void answerProblem(int code, String slug, String detail) {
        String body = "{\"type\":\"https://perimeter.dev/problems/" + slug + "\",\"title\":\"Bad gateway\",\"status\":"
                + code + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"correlationId\":\"" + head.correlationId() + "\"}";
        connection.send(new TunnelFrame(
                TunnelFrame.Type.HEAD,
                id,
                TunnelHeads.encode(new TunnelHeads.Response(
                        code, List.of(new TunnelHeads.Header("Content-Type", "application/problem+json"))))));
        connection.send(new TunnelFrame(TunnelFrame.Type.DATA, id, body.getBytes(StandardCharsets.UTF_8)));
        connection.send(TunnelFrame.of(TunnelFrame.Type.END, id));
    }

    private static List<TunnelHeads.Header> forwarded(HttpHeaders headers) {
        List<TunnelHeads.Header> kept = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            if (TunnelHeads.forwardsResponseHeader(header.getKey())) {
                kept.add(new TunnelHeads.Header(header.getKey(), header.getValue()));
            }
        }
        return kept;
    }

    private static byte[] joined(List<byte[]> chunks, int size) {
        if (chunks.size() == 1) {
            return chunks.getFirst();
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream(size);
        chunks.forEach(whole::writeBytes);
        return whole.toByteArray();
    }

    /**
     * Reads the upstream connections of one tunnel connection and hands what comes to the call that holds the
     * connection; a failure ends the call, which closes the connection. A connection that speaks or fails while no
     * call holds it is closed.
     */
    @ChannelHandler.Sharable
    static final class Reader extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            try {
                UpstreamCall call = context.channel().attr(CALL).get();
                if (call == null || !(message instanceof HttpObject object)) {
                    context.close();
                } else if (object.decoderResult().isFailure()) {
                    call.upstreamFailed(object.decoderResult().cause());
                } else {
                    call.responded(object);
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            UpstreamCall call = context.channel().attr(CALL).get();
            if (call != null) {
                call.upstreamFailed(new IOException("the connection closed"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            UpstreamCall call = context.channel().attr(CALL).get();
            if (call != null) {
                call.upstreamFailed(cause instanceof IOException ? cause : new IOException(cause));
            } else {
                context.close();
            }
        }
    }
}
