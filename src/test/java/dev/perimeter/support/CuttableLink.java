package dev.perimeter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP link to a local port that a test can cut and restore, like a network partition: cutting closes every piped
 * connection and refuses new ones; restoring listens again on the same port.
 */
public final class CuttableLink implements AutoCloseable {

    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private final int port;

    private CuttableLink(int target) throws IOException {
        this.target = target;
        this.server = listen(0);
        this.port = server.getLocalPort();
        accept(server);
    }

    /** Starts a link to {@code target} on a free loopback port. */
    public static CuttableLink to(int target) {
        try {
            return new CuttableLink(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Drops every connection through the link and refuses new ones. */
    public synchronized void cut() {
        SocketPipes.closeQuietly(server);
        sockets.forEach(SocketPipes::closeQuietly);
        sockets.clear();
    }

    /** Accepts connections again, on the same port; does nothing if the link is not cut. */
    public synchronized void restore() {
        if (!server.isClosed()) {
            return;
        }
        try {
            server = listen(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        accept(server);
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    private void accept(ServerSocket listening) {
        Thread.ofVirtual().name("cuttable-link").start(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    Socket backend = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(backend);
                    SocketPipes.bothWays(client, backend, () -> {
                        sockets.remove(client);
                        sockets.remove(backend);
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void close() {
        cut();
    }
}
