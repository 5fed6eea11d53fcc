package dev.perimeter.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;

/** The health groups the chart's probes call: the database counts for readiness, never for liveness. */
class ReadinessGroupTests extends ApiTestSupport {

    @Autowired
    HealthEndpointGroups groups;

    @Test
    void theDatabaseIsInTheReadinessGroupOnly() {
        assertThat(groups.get("readiness").isMember("db")).isTrue();
        assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
        assertThat(groups.get("liveness").isMember("db")).isFalse();
        assertThat(groups.get("liveness").isMember("livenessState")).isTrue();
    }

    @Test
    void theProbePathsAnswerUp() {
        for (String path :
                new String[] {"/actuator/health/liveness", "/actuator/health/readiness", "/livez", "/readyz"}) {
            Api.Response response = api.get(path).send();
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.json().path("status").asString()).as(path).isEqualTo("UP");
        }
    }
}
