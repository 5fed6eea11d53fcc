package dev.perimeter.provider.cloudflare;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A one-route HTTP/1.1 server that answers every request with a chunked {@code text/event-stream} written by a script,
 * flushing each chunk as its own TCP write: for what WireMock cannot do — output that arrives while the command still
 * runs, a stream that stalls after some events, a connection that dies mid-stream.
 */
final class ScriptedSseServer implements AutoCloseable {

    /** Writes the response body, one chunk at a time. */
    @FunctionalInterface
    interface Script {
        void play(Chunks chunks) throws Exception;
    }

    /** The response body as chunks; {@link #end()} finishes it properly, returning without it leaves it open. */
    static final class Chunks {
        private final OutputStream out;

        Chunks(OutputStream out) {
            this.out = out;
        }

        void send(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private final ServerSocket socket;
    private final Thread acceptor;

    ScriptedSseServer(Script script) throws IOException {
        this.socket = new ServerSocket(0);
        this.acceptor = Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    readRequest(new BufferedInputStream(connection.getInputStream()));
                    OutputStream out = connection.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                                    + "Transfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    script.play(new Chunks(out));
                } catch (Exception closedOrDone) {
                    // the test closed the server, or the script ended the connection
                }
            }
        });
    }

    String baseUrl() {
        return "http://localhost:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        acceptor.interrupt();
    }

    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
        }
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring(15).strip()));
            }
        }
    }
}
