package dev.perimeter.tunnel.agent;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.Socket;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Sockets to the private MCP server that tell a relayed call when a read is about to wait for the network. The HTTP
 * client decodes the response from its own buffer and reads the socket only when that runs dry; at that moment, and
 * only if the socket has nothing either, the reading thread's {@link #flushingBeforeWaiting action} runs. A call uses it
 * to send the frames it holds, so that a response the server wrote at once (head, body and end) crosses the tunnel as
 * one message, while a stream that goes quiet never holds back what already came. The client's own buffering of
 * chunked bodies cannot say this: it reports nothing available at every chunk boundary.
 */
final class UpstreamSockets implements DetachedSocketFactory {

    /** Something to do before a read waits, such as sending held frames. */
    interface BeforeWaiting {
        void run() throws IOException;
    }

    /** Ends what {@link #flushingBeforeWaiting} started. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final ThreadLocal<@Nullable BeforeWaiting> ACTION = new ThreadLocal<>();

    /** Until the scope closes, this thread's reads from an upstream socket run {@code action} before they wait. */
    static Scope flushingBeforeWaiting(BeforeWaiting action) {
        ACTION.set(action);
        return ACTION::remove;
    }

    @Override
    public Socket create(@Nullable Proxy proxy) {
        return proxy == null ? new UpstreamSocket() : new UpstreamSocket(proxy);
    }

    private static final class UpstreamSocket extends Socket {

        UpstreamSocket() {}

        UpstreamSocket(Proxy proxy) {
            super(proxy);
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new ActingBeforeWaiting(super.getInputStream());
        }
    }

    private static final class ActingBeforeWaiting extends FilterInputStream {

        ActingBeforeWaiting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            beforeRead();
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length > 0) {
                beforeRead();
            }
            return in.read(buffer, offset, length);
        }

        private void beforeRead() throws IOException {
            BeforeWaiting action = ACTION.get();
            if (action != null && in.available() == 0) {
                action.run();
            }
        }
    }
}
