package dev.perimeter.provider.vercel;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.shared.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the provider sends Vercel and how it follows a sandbox across sessions, beyond the contract. */
class VercelSandboxProviderTests {

    private final FakeVercel fake = new FakeVercel(2);
    private final SandboxProvider provider = VercelTestProviders.against(fake, Duration.ofSeconds(10));

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void createSendsVercelsFieldsAndUnits() {
        SandboxSpec spec = new SandboxSpec(
                Ids.next("sbx"),
                "acme",
                "corr-42",
                "cdg1",
                null,
                new SandboxSpec.Resources(1, 5000, null),
                new SandboxSpec.Egress(EgressMode.ALLOWLIST, List.of("api.example.com", "10.0.0.0/8", "192.168.1.7")),
                Map.of("MODE", "test"),
                Map.of(),
                Duration.ofMinutes(20),
                null);

        provider.create(spec);

        List<LoggedRequest> creates = fake.wireMock()
                .findAll(postRequestedFor(urlPathEqualTo("/v3/sandboxes"))
                        .withQueryParam("teamId", equalTo(FakeVercel.TEAM)));
        assertThat(creates).hasSize(1);
        JsonNode body = StrictJson.JSON.readTree(creates.getFirst().getBody());
        assertThat(body.get("name").asString()).isEqualTo(spec.sandboxId());
        assertThat(body.get("projectId").asString()).isEqualTo(FakeVercel.PROJECT);
        assertThat(body.get("timeout").asLong()).isEqualTo(1_200_000);
        assertThat(body.get("resources").get("vcpus").asInt()).isEqualTo(3);
        assertThat(body.get("region").asString()).isEqualTo("cdg1");
        assertThat(body.get("env").get("MODE").asString()).isEqualTo("test");
        assertThat(body.get("networkPolicy").toString())
                .isEqualTo(
                        "{\"allow\":[\"api.example.com\"],\"subnets\":{\"allow\":[\"10.0.0.0/8\",\"192.168.1.7\"]}}");
        assertThat(body.get("tags").get("perimeter-sandbox").asString()).isEqualTo(spec.sandboxId());
        assertThat(body.get("tags").get("managed-by").asString()).isEqualTo("perimeter");
        assertThat(body.get("tags").size()).isLessThanOrEqualTo(5);
        assertThat(creates.getFirst().getHeader("Authorization")).isEqualTo("Bearer " + FakeVercel.TOKEN);
    }

    @Test
    void listManagedFollowsThePaginationCursorAcrossPages() {
        List<ManagedSandbox> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = Ids.next("sbx");
            created.add(new ManagedSandbox(id, provider.create(spec(id)).providerRef()));
        }

        assertThat(provider.listManaged()).containsExactlyInAnyOrderElementsOf(created);
        assertThat(fake.wireMock().findAll(getRequestedFor(urlPathEqualTo("/v2/sandboxes"))))
                .hasSize(3);
    }

    @Test
    void aSnapshotStopsTheSessionAndTheNextCallResumesTheSandbox() {
        String ref = provider.create(spec(Ids.next("sbx"))).providerRef();
        provider.writeFile(ref, "kept.txt", "kept".getBytes());

        provider.snapshot(ref, Ids.next("snap"));

        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.STOPPED);
        assertThat(provider.exec(
                                ref,
                                new ExecSpec(
                                        List.of("cat", "kept.txt"), null, Map.of(), Duration.ofSeconds(10), null, 1024),
                                ExecOutput.DISCARD)
                        .stdout())
                .isEqualTo("kept".getBytes());
        assertThat(provider.status(ref)).isEqualTo(SandboxStatus.RUNNING);
    }

    @Test
    void aSnapshotCarriesTheExpiryVercelGaveIt() {
        SandboxProvider expiring = VercelTestProviders.against(
                VercelTestProviders.properties(fake.baseUrl(), Duration.ofSeconds(10), Duration.ofDays(1)));
        String ref = expiring.create(spec(Ids.next("sbx"))).providerRef();

        SnapshotResult snapshot = expiring.snapshot(ref, Ids.next("snap"));

        assertThat(snapshot.expiresAt())
                .isBetween(
                        Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofDays(1)));
        assertThat(provider.snapshot(provider.create(spec(Ids.next("sbx"))).providerRef(), Ids.next("snap"))
                        .expiresAt())
                .isNull();
    }

    private static SandboxSpec spec(String id) {
        return new SandboxSpec(
                id,
                "acme",
                "corr",
                "iad1",
                null,
                new SandboxSpec.Resources(1, 512, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null);
    }
}
