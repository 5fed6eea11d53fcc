package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code management.server.port} set, Actuator answers on its own port without a key (the port the kubelet and
 * Prometheus reach, never routed to tenants), and the API port keeps only the {@code /livez} and {@code /readyz}
 * probes.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "management.server.port=0",
            "perimeter.bootstrap-admin-key=" + ApiTestSupport.ADMIN_KEY,
            "perimeter.jobs.enabled=false"
        })
class ManagementPortTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("perimeter.data-dir", () -> System.getProperty("java.io.tmpdir") + "/perimeter-management-port");
    }

    @Test
    void actuatorIsOpenOnItsOwnPortAndAbsentFromTheApiPort() {
        Api management = new Api(managementPort);
        Api api = new Api(port);
        assertThat(managementPort).isNotEqualTo(port);

        Api.Response scrape = management.get("/actuator/prometheus").send();
        assertThat(scrape.status()).as(scrape.text()).isEqualTo(200);
        assertThat(scrape.text()).contains("perimeter_sandbox_admission_seconds");
        assertThat(management.get("/actuator/health/liveness").send().status()).isEqualTo(200);
        assertThat(management.get("/v1/tenants").send().status())
                .as("the API is not served on the management port")
                .isEqualTo(404);

        assertThat(api.get("/livez").send().status()).isEqualTo(200);
        assertThat(api.get("/readyz").send().status()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus")
                        .key(ApiTestSupport.ADMIN_KEY)
                        .send()
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/v1/tenants").send().status()).isEqualTo(401);
    }
}
