package dev.perimeter.tunnel;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;

/**
 * A plain HTTP upstream beside the MCP server, for what the SDK cannot show: {@code POST} answers the SHA-256 and
 * length of the body it read; {@code GET ?bytes=n} answers n bytes; {@code GET ?ticks} streams an SSE tick every 50 ms
 * until the caller goes away, which it records; {@code GET ?quiet} sends one SSE event and then nothing for 30 s; {@code GET ?breaks} fails mid-body.
 */
final class RawUpstreamServlet extends HttpServlet {

    final CountDownLatch tickerStarted = new CountDownLatch(1);
    final CountDownLatch tickerLostItsCaller = new CountDownLatch(1);
    final CountDownLatch holding = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile String lastAuthorization;
    volatile String lastHost;
    volatile String lastPeer;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getParameter("hold") != null) {
            doGet(request, response);
            return;
        }
        lastAuthorization = request.getHeader("Authorization");
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long length = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = request.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                length += n;
            }
        }
        response.setContentType("application/json");
        response.getWriter()
                .write("{\"length\":" + length + ",\"sha256\":\""
                        + HexFormat.of().formatHex(digest.digest()) + "\"}");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        lastAuthorization = request.getHeader("Authorization");
        lastHost = request.getHeader("Host");
        lastPeer = request.getRemoteAddr() + ":" + request.getRemotePort();
        if (request.getParameter("hold") != null) {
            holding.countDown();
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            response.setStatus(204);
            return;
        }
        if (request.getParameter("ticks") != null) {
            tick(response);
            return;
        }
        if (request.getParameter("quiet") != null) {
            quiet(response);
            return;
        }
        if (request.getParameter("trickle") != null) {
            trickle(response);
            return;
        }
        if (request.getParameter("breaks") != null) {
            breaks(response);
            return;
        }
        int bytes = Integer.parseInt(request.getParameter("bytes"));
        response.setContentType("application/octet-stream");
        response.setHeader("Mcp-Session-Id", "raw-session");
        response.setHeader("Set-Cookie", "secret=1");
        OutputStream out = response.getOutputStream();
        byte[] chunk = new byte[8192];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i % 251);
        }
        for (int sent = 0; sent < bytes; sent += chunk.length) {
            out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
        }
    }

    /** A JSON body that arrives slowly, for losing the agent in the middle of it. */
    private void trickle(HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        OutputStream out = response.getOutputStream();
        try {
            out.write("[".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 600; i++) {
                out.write((i + ",").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(50);
            }
            out.write("0]".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a chunked body and fails: Tomcat drops the connection without the last chunk. */
    private void breaks(HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        OutputStream out = response.getOutputStream();
        out.write("[1,".getBytes(StandardCharsets.UTF_8));
        out.flush();
        throw new IllegalStateException("the upstream broke mid-response (on purpose)");
    }

    private void quiet(HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        OutputStream out = response.getOutputStream();
        out.write("id: 0\ndata: hello\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            Thread.sleep(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick(HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        OutputStream out = response.getOutputStream();
        tickerStarted.countDown();
        try {
            for (int i = 0; i < 1200; i++) {
                out.write(("id: " + i + "\ndata: tick " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(50);
            }
        } catch (IOException e) {
            tickerLostItsCaller.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
