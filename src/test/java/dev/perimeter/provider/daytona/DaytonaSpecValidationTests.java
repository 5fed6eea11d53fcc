package dev.perimeter.provider.daytona;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake's request validation catches requests that break Daytona's OpenAPI documents. */
class DaytonaSpecValidationTests {

    private final DaytonaFake fake = new DaytonaFake();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void aCreateWithMemoryAsTextIsCaught() throws Exception {
        send("POST", "/api/sandbox", "application/json", "{\"name\":\"sbx_1\",\"memory\":\"512Mi\"}");

        assertThat(fake.violations())
                .anySatisfy(v -> assertThat(v).contains("POST /api/sandbox").contains("memory"));
    }

    @Test
    void aListPageBeyondTheDocumentedMaximumIsCaught() throws Exception {
        send("GET", "/api/sandbox?limit=500", null, null);

        assertThat(fake.violations()).anySatisfy(v -> assertThat(v).contains("maximum: 200"));
    }

    @Test
    void anExecuteWithoutACommandIsCaught() throws Exception {
        send("POST", "/toolbox/some-id/process/execute", "application/json", "{\"cmd\":\"ls\",\"timeout\":\"ten\"}");

        assertThat(fake.violations()).anySatisfy(v -> assertThat(v).contains("/process/execute"));
    }

    @Test
    void anUploadWhoseFileFieldIsMisnamedIsCaught() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"x\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nhello\r\n--b--\r\n";
        send("POST", "/toolbox/some-id/files/upload?path=/home/daytona/x", "multipart/form-data; boundary=b", body);

        assertThat(fake.violations()).anySatisfy(v -> assertThat(v).contains("/files/upload"));
    }

    @Test
    void anUploadWithoutItsPathIsCaught() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nhello\r\n--b--\r\n";
        send("POST", "/toolbox/some-id/files/upload", "multipart/form-data; boundary=b", body);

        assertThat(fake.violations()).anySatisfy(v -> assertThat(v).contains("path"));
    }

    @Test
    void aSnapshotWithoutItsRequiredNameIsCaught() throws Exception {
        send("POST", "/api/sandbox/x/snapshot", "application/json", "{\"includeMemory\":false}");

        assertThat(fake.violations()).anySatisfy(v -> assertThat(v).contains("name"));
    }

    @Test
    void aPathDaytonaDoesNotHaveIsCaught() throws Exception {
        send("POST", "/api/sandboxes", "application/json", "{}");
        send("GET", "/elsewhere", null, null);

        assertThat(fake.violations()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aConformingRequestPasses() throws Exception {
        send("GET", "/api/sandbox?limit=200&labels=%7B%22a%22%3A%22b%22%7D", null, null);

        assertThat(fake.violations()).isEmpty();
    }

    private void send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(fake.wireMock().baseUrl() + path))
                .header("Authorization", "Bearer " + DaytonaFake.API_KEY)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }
}
