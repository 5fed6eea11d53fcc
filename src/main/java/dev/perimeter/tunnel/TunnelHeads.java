package dev.perimeter.tunnel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The payloads of {@code HEAD} frames and the header allowlists of the relay. Only the headers MCP Streamable HTTP
 * needs cross the tunnel, both ways; everything else (cookies, hop-by-hop headers, {@code Host}, {@code Origin}) stays
 * on its side.
 */
public final class TunnelHeads {

    private static final List<String> REQUEST_HEADERS = List.of(
            "accept",
            "content-type",
            "authorization",
            "mcp-protocol-version",
            "mcp-session-id",
            "last-event-id",
            "mcp-method",
            "mcp-name");

    private static final List<String> RESPONSE_HEADERS = List.of(
            "content-type",
            "mcp-session-id",
            "mcp-protocol-version",
            "www-authenticate",
            "last-event-id",
            "retry-after");

    private static final int MAX_HEADERS = 64;

    private TunnelHeads() {}

    /** One header line. */
    public record Header(String name, String value) {}

    /**
     * A request as it crosses the tunnel.
     *
     * @param method {@code POST}, {@code GET} or {@code DELETE}
     * @param pathAndQuery what follows the MCP URL, appended to the agent's upstream URL (usually empty)
     * @param correlationId the call's correlation id, for the agent's logs and the upstream
     * @param headers allowed headers only
     */
    public record Request(String method, String pathAndQuery, String correlationId, List<Header> headers) {}

    /**
     * A response head as it crosses the tunnel.
     *
     * @param status the upstream's status, unchanged
     * @param headers allowed headers only
     */
    public record Response(int status, List<Header> headers) {

        /** The first value of a header, case-insensitive. */
        public @org.jspecify.annotations.Nullable String header(String name) {
            return headers.stream()
                    .filter(header -> header.name().equalsIgnoreCase(name))
                    .map(Header::value)
                    .findFirst()
                    .orElse(null);
        }
    }

    /** Whether a request header may cross to the upstream. */
    public static boolean forwardsRequestHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return REQUEST_HEADERS.contains(lower) || lower.startsWith("mcp-param-");
    }

    /** Whether a response header may cross back to the caller. */
    public static boolean forwardsResponseHeader(String name) {
        return RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Encodes a request head. */
    public static byte[] encode(Request request) {
        return write(out -> {
            out.writeUTF(request.method());
            out.writeUTF(request.pathAndQuery());
            out.writeUTF(request.correlationId());
            writeHeaders(out, request.headers());
        });
    }

    /** Encodes a response head. */
    public static byte[] encode(Response response) {
        return write(out -> {
            out.writeShort(response.status());
            writeHeaders(out, response.headers());
        });
    }

    /** Decodes a request head; a malformed one is an {@link IllegalArgumentException}. */
    public static Request decodeRequest(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            return new Request(in.readUTF(), in.readUTF(), in.readUTF(), readHeaders(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("Malformed request head", e);
        }
    }

    /** Decodes a response head; a malformed one is an {@link IllegalArgumentException}. */
    public static Response decodeResponse(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int status = in.readUnsignedShort();
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("Status " + status);
            }
            return new Response(status, readHeaders(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("Malformed response head", e);
        }
    }

    private static void writeHeaders(DataOutputStream out, List<Header> headers) throws IOException {
        out.writeShort(headers.size());
        for (Header header : headers) {
            out.writeUTF(header.name());
            out.writeUTF(header.value());
        }
    }

    private static List<Header> readHeaders(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        if (count > MAX_HEADERS) {
            throw new IOException(count + " headers");
        }
        List<Header> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(new Header(in.readUTF(), in.readUTF()));
        }
        return headers;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
