package dev.perimeter.provider.daytona;

import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.provider.http.VendorRequest;
import dev.perimeter.provider.http.VendorResponse;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PayloadTooLargeException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * One sandbox's toolbox, as {@code daytona-toolbox.openapi.yaml} describes it: its paths hang off {@code
 * {toolboxProxyUrl}/{sandboxId}}, the base the sandbox's {@code toolboxProxyUrl} gives.
 */
final class DaytonaToolbox {

    private final VendorHttp http;
    private final String base;

    DaytonaToolbox(VendorHttp http, String toolboxProxyUrl, String sandboxId) {
        this.http = http;
        String proxy = toolboxProxyUrl.endsWith("/")
                ? toolboxProxyUrl.substring(0, toolboxProxyUrl.length() - 1)
                : toolboxProxyUrl;
        this.base = proxy + "/" + DaytonaApi.segment(sandboxId);
    }

    /**
     * {@code POST /process/execute}. Not retryable: a command may have run. A 408 (Daytona killed the command at its
     * {@code timeout}) is handed back.
     */
    VendorResponse execute(ObjectNode body, Duration wait) {
        return http.send(VendorRequest.postJson(uri("/process/execute"), DaytonaApi.JSON.writeValueAsBytes(body))
                .accepting(408)
                .timeout(wait));
    }

    /** {@code POST /files/upload?path=} with the content as the multipart field {@code file}; replaces the file. */
    void upload(String path, byte[] content) {
        String boundary = "perimeter-" + Ids.random(24);
        String name = path.substring(path.lastIndexOf('/') + 1).replace("\"", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream(content.length + 256);
        body.writeBytes(("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        // Writing the same bytes to the same path twice leaves the same file: safe to retry.
        http.send(VendorRequest.withBody(
                        "POST",
                        uri("/files/upload?path=" + DaytonaApi.query(path)),
                        "multipart/form-data; boundary=" + boundary,
                        body.toByteArray())
                .retryable());
    }

    /** {@code GET /files/download?path=}: the content, or empty when there is no such file; refused past the limit. */
    Optional<byte[]> download(String path, long maxBytes) {
        VendorRequest request = VendorRequest.get(uri("/files/download?path=" + DaytonaApi.query(path)))
                .header("Accept", "application/octet-stream")
                .accepting(404);
        return http.stream(request, (status, in) -> {
            if (status == 404) {
                return Optional.empty();
            }
            byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (content.length > maxBytes) {
                throw new PayloadTooLargeException(maxBytes);
            }
            return Optional.of(content);
        });
    }

    private URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }
}
