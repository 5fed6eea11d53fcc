package dev.perimeter.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A TCP load balancer for tests: each accepted connection is piped to the local port that {@code route} picks from
 * the connection's number (0, 1, 2, …), so a test decides where every dial lands.
 */
public final class TcpBalancer implements AutoCloseable {

    private final ServerSocket server;
    private final IntUnaryOperator route;
    private final AtomicInteger accepted = new AtomicInteger();

    private TcpBalancer(IntUnaryOperator route) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.route = route;
        Thread.ofVirtual().name("tcp-balancer").start(this::acceptLoop);
    }

    /** Starts a balancer on a free loopback port. */
    public static TcpBalancer start(IntUnaryOperator route) throws IOException {
        return new TcpBalancer(route);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket backend =
                        new Socket(InetAddress.getLoopbackAddress(), route.applyAsInt(accepted.getAndIncrement()));
                SocketPipes.bothWays(client, backend, () -> {});
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
