package dev.perimeter.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Joins two sockets for the tests' TCP go-betweens ({@link TcpBalancer}, {@link CuttableLink}). */
final class SocketPipes {

    private SocketPipes() {}

    /** Copies bytes both ways on virtual threads; when either side ends, both close and {@code closed} runs. */
    static void bothWays(Socket one, Socket other, Runnable closed) {
        Thread.ofVirtual().start(() -> pipe(one, other, closed));
        Thread.ofVirtual().start(() -> pipe(other, one, closed));
    }

    private static void pipe(Socket from, Socket to, Runnable closed) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            closed.run();
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
