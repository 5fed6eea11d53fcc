package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Errors the servlet container raises outside Spring MVC's handlers (a refused method, an unreadable body) and
 * unparseable multipart bodies are problems too, whatever the caller accepts, never Spring Boot's error JSON, an HTML
 * page or a 500.
 */
class ContainerErrorTests extends ApiTestSupport {

    @Test
    void aMethodTomcatRefusesIsAProblem() {
        TestTenant tenant = newTenant();

        Api.Response trace = api.delete("/v1/sandboxes").key(tenant.key()).send();
        assertProblem(trace, 405, "method-not-allowed");

        String raw = api.raw("TRACE /v1/sandboxes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
                + "\r\nAccept: text/html\r\nX-Correlation-Id: trace-1\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 405");
        assertThat(raw).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(raw).contains("\"type\":\"https://perimeter.dev/problems/method-not-allowed\"");
        assertThat(raw).contains("\"instance\":\"/v1/sandboxes\"");
        assertThat(raw).containsIgnoringCase("X-Correlation-Id: trace-1").contains("\"correlationId\":\"trace-1\"");
    }

    @Test
    void aMalformedChunkedBodyIsAProblem() {
        TestTenant tenant = newTenant();

        String raw = api.raw("POST /v1/sandboxes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + tenant.key()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "zz\r\n{}\r\n0\r\n\r\n");

        assertThat(raw).startsWith("HTTP/1.1 400");
        assertThat(raw).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(raw).contains("\"type\":\"https://perimeter.dev/problems/validation-failed\"");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    @Test
    void anUnparseableMultipartBodyIsAValidationProblem() {
        TestTenant tenant = newTenant();

        Api.Response noBoundary = api.post("/v1/sandboxes")
                .key(tenant.key())
                .content("multipart/form-data", "{}")
                .send();
        assertProblem(noBoundary, 400, "validation-failed");
        assertThat(noBoundary.json().get("detail").asString()).contains("multipart");

        String sandbox = createSandbox(tenant, java.util.Map.of()).get("id").asString();
        Api.Response truncated = api.put("/v1/sandboxes/" + sandbox + "/files?path=a.txt")
                .key(tenant.key())
                .content("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"")
                .send();
        assertProblem(truncated, 400, "validation-failed");
        assertThat(activeSandboxes(tenant)).isOne();
    }
}
