package dev.perimeter.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** helm/perimeter, linted and rendered by Helm for every fixture in its ci/ directory. */
class PerimeterChartTests {

    /** Every variable Perimeter reads a credential from; none may ever be rendered as a value. */
    static final Set<String> CREDENTIALS = Set.of(
            "DATABASE_URL",
            "SPRING_DATASOURCE_PASSWORD",
            "PERIMETER_BOOTSTRAP_ADMIN_KEY",
            "PERIMETER_REPLICA_SECRET",
            "DAYTONA_API_KEY",
            "VERCEL_TOKEN",
            "VERCEL_OIDC_TOKEN",
            "CLOUDFLARE_SANDBOX_BRIDGE_TOKEN",
            "MODAL_TOKEN_ID",
            "MODAL_TOKEN_SECRET",
            "POSTGRES_PASSWORD");

    static Stream<Path> fixtures() {
        return Charts.fixtures(Charts.PERIMETER).stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyFixtureLintsCleanInStrictMode(Path fixture, @TempDir Path workDir) {
        LintResult lint = Charts.lint(Charts.PERIMETER, fixture, workDir);

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theChartLintsCleanWithItsOwnDefaults(@TempDir Path workDir) {
        // Helm's lint mode only logs a template's fail(); rendering (below) is where the defaults are refused.
        LintResult lint = Charts.lint(Charts.PERIMETER, null, workDir);

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void probesUseTheActuatorHealthGroups(Path fixture) {
        JsonNode container = Charts.render(Charts.PERIMETER, fixture).container();

        assertThat(container.at("/startupProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(container.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(container.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(container.at("/readinessProbe/httpGet/port").asString()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void podsRunNonRootOnAReadOnlyRootWithNoCapabilities(Path fixture) {
        boolean local = Charts.values(fixture).at("/providers/local/enabled").asBoolean(false);
        Manifests manifests = Charts.render(Charts.PERIMETER, fixture);
        JsonNode pod = manifests.one("Deployment").at("/spec/template/spec");
        JsonNode container = manifests.container();

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isNotZero();
        assertThat(pod.at("/securityContext/seccompProfile/type").asString()).isEqualTo("RuntimeDefault");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                .isFalse();
        assertThat(container.at("/securityContext/privileged").asBoolean(false)).isFalse();
        assertThat(strings(container.at("/securityContext/capabilities/drop"))).containsExactly("ALL");
        assertThat(container.at("/securityContext/capabilities/add").isMissingNode())
                .isTrue();
        assertThat(container.at("/securityContext/seccompProfile/type").asString(""))
                .as("only the local provider's trial mode leaves RuntimeDefault")
                .isEqualTo(local ? "Unconfined" : "");
        assertThat(strings(container.path("volumeMounts"), "mountPath"))
                .containsExactlyInAnyOrder("/tmp", "/var/lib/perimeter");
        assertThat(pod.path("enableServiceLinks").asBoolean(true)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theGracePeriodCoversTheDrainAndGracefulShutdown(Path fixture) {
        Manifests manifests = Charts.render(Charts.PERIMETER, fixture);
        JsonNode pod = manifests.one("Deployment").at("/spec/template/spec");
        String shutdown = manifests
                .settings()
                .at("/data/SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE")
                .asString();
        int preStop = Integer.parseInt(
                manifests.container().at("/lifecycle/preStop/exec/command/1").asString());

        assertThat(shutdown).matches("\\d+s");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt())
                .isGreaterThan(preStop + Integer.parseInt(shutdown.replace("s", "")));
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void credentialsAreOnlyReferencedFromSecretsNeverRendered(Path fixture) {
        JsonNode values = Charts.values(fixture);
        Manifests manifests = Charts.render(Charts.PERIMETER, fixture);
        String existingSecret = values.path("existingSecret").asString("");
        boolean bundled = values.at("/postgresql/enabled").asBoolean(false);

        List<JsonNode> containers = new ArrayList<>();
        for (String kind : List.of("Deployment", "StatefulSet")) {
            manifests.ofKind(kind).forEach(workload -> workload.at("/spec/template/spec/containers")
                    .forEach(containers::add));
        }

        for (JsonNode container : containers) {
            for (JsonNode env : container.path("env")) {
                String name = env.path("name").asString();
                if (CREDENTIALS.contains(name)) {
                    assertThat(env.has("value"))
                            .as("%s rendered as a value", name)
                            .isFalse();
                    assertThat(env.at("/valueFrom/secretKeyRef/name").asString())
                            .as(name)
                            .isEqualTo(existingSecret);
                    assertThat(env.at("/valueFrom/secretKeyRef/key").asString())
                            .isEqualTo(
                                    bundled && name.equals("SPRING_DATASOURCE_PASSWORD") ? "POSTGRES_PASSWORD" : name);
                }
            }
        }
        assertThat(manifests.settings().path("data").propertyNames()).doesNotContainAnyElementsOf(CREDENTIALS);
        assertThat(manifests.ofKind("Secret")).as("the chart makes no Secret").isEmpty();
        assertThat(manifests.settings().at("/data/SPRING_DATASOURCE_URL").isMissingNode())
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void rbacExistsOnlyForTheKubernetesProviderAndOnlyInTheSandboxNamespace(Path fixture) {
        JsonNode kubernetes = Charts.values(fixture).at("/providers/kubernetes");
        Manifests manifests = Charts.render(Charts.PERIMETER, fixture);

        assertThat(manifests.ofKind("ClusterRole")).isEmpty();
        assertThat(manifests.ofKind("ClusterRoleBinding")).isEmpty();
        assertThat(manifests
                        .one("Deployment")
                        .at("/spec/template/spec/automountServiceAccountToken")
                        .asBoolean())
                .as("the API token is mounted only for the kubernetes provider")
                .isEqualTo(kubernetes.path("enabled").asBoolean(false));
        if (!kubernetes.path("enabled").asBoolean(false)) {
            assertThat(manifests.ofKind("Role")).isEmpty();
            assertThat(manifests.ofKind("RoleBinding")).isEmpty();
            return;
        }
        String namespace = kubernetes.path("namespace").asString("perimeter-sandboxes");
        JsonNode role = manifests.one("Role");
        JsonNode binding = manifests.one("RoleBinding");
        List<String> rules = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            rules.add(strings(rule.path("apiGroups")) + " " + strings(rule.path("resources")) + " "
                    + strings(rule.path("verbs")));
        }

        assertThat(role.at("/metadata/namespace").asString()).isEqualTo(namespace);
        assertThat(binding.at("/metadata/namespace").asString()).isEqualTo(namespace);
        assertThat(binding.at("/roleRef/kind").asString()).isEqualTo("Role");
        assertThat(binding.at("/roleRef/name").asString())
                .isEqualTo(role.at("/metadata/name").asString());
        assertThat(binding.at("/subjects/0/name").asString())
                .isEqualTo(manifests
                        .one("Deployment")
                        .at("/spec/template/spec/serviceAccountName")
                        .asString());
        assertThat(binding.at("/subjects/0/namespace").asString()).isEqualTo(Charts.NAMESPACE);
        List<String> expected = new ArrayList<>(List.of(
                "[] [pods] [get, list, create, delete, patch]",
                "[] [pods/exec] [create, get]",
                "[networking.k8s.io] [networkpolicies] [get, create, update, delete]"));
        if (!kubernetes.at("/warmPool/name").asString("").isEmpty()) {
            expected.add("[extensions.agents.x-k8s.io] [sandboxclaims] [get, list, create, delete, patch]");
            expected.add("[extensions.agents.x-k8s.io] [sandboxwarmpools, sandboxtemplates] [get]");
            expected.add("[agents.x-k8s.io] [sandboxes] [get]");
        }
        assertThat(rules).containsExactlyElementsOf(expected);
        assertThat(rules).noneMatch(rule -> rule.contains("*"));
        assertThat(manifests.settings().at("/data/KUBERNETES_SANDBOX_NAMESPACE").asString())
                .isEqualTo(namespace);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyObjectCarriesTheStandardLabelsAndNoHardCodedNamespace(Path fixture) {
        String sandboxNamespace =
                Charts.values(fixture).at("/providers/kubernetes/namespace").asString("perimeter-sandboxes");

        for (JsonNode object : Charts.render(Charts.PERIMETER, fixture).objects()) {
            JsonNode labels = object.at("/metadata/labels");
            String kind = object.path("kind").asString();
            assertThat(labels.path("app.kubernetes.io/name").asString())
                    .as(kind)
                    .isEqualTo("perimeter");
            assertThat(labels.path("app.kubernetes.io/instance").asString())
                    .as(kind)
                    .isEqualTo(Charts.RELEASE);
            assertThat(labels.path("app.kubernetes.io/managed-by").asString())
                    .as(kind)
                    .isEqualTo("Helm");
            assertThat(labels.path("helm.sh/chart").asString()).as(kind).startsWith("perimeter-");
            JsonNode namespace = object.at("/metadata/namespace");
            if (Set.of("Role", "RoleBinding").contains(kind)) {
                assertThat(namespace.asString()).isEqualTo(sandboxNamespace);
            } else {
                assertThat(namespace.isMissingNode())
                        .as("%s names its namespace", kind)
                        .isTrue();
            }
        }
    }

    @Test
    void withoutADatabaseRenderingFailsSayingWhatToSet() {
        assertThatThrownBy(() -> Charts.render(Charts.PERIMETER, null, Map.of("providers.kubernetes.enabled", true)))
                .hasMessageContaining("Perimeter needs a PostgreSQL database")
                .hasMessageContaining("existingSecret")
                .hasMessageContaining("postgresql.enabled=true")
                .hasMessageContaining("database.embedded=true");
    }

    @Test
    void theEmbeddedDatabaseIsAnExplicitSingleReplicaChoice() {
        Manifests manifests = Charts.render(
                Charts.PERIMETER,
                null,
                Map.of("providers.kubernetes.enabled", true, "database.embedded", true, "replicaCount", 1));

        assertThat(manifests.env("DATABASE_URL").isMissingNode()).isTrue();
        assertThat(manifests.env("SPRING_DATASOURCE_URL").isMissingNode()).isTrue();
        assertThat(manifests.one("Deployment").at("/spec/strategy/type").asString())
                .isEqualTo("Recreate");
        assertThatThrownBy(() -> Charts.render(
                        Charts.PERIMETER,
                        null,
                        Map.of("providers.kubernetes.enabled", true, "database.embedded", true, "replicaCount", 2)))
                .hasMessageContaining("replicaCount 1");
    }

    @Test
    void aDatabaseUrlFromTheSecretIsARequiredKeyAndEveryOtherKeyIsOptional() {
        Manifests manifests = Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/kubernetes-values.yaml"));

        assertThat(manifests
                        .env("DATABASE_URL")
                        .at("/valueFrom/secretKeyRef/key")
                        .asString())
                .isEqualTo("DATABASE_URL");
        assertThat(manifests
                        .env("DATABASE_URL")
                        .at("/valueFrom/secretKeyRef/optional")
                        .asBoolean(false))
                .as("a missing DATABASE_URL must stop the pod, not fall back to an embedded database")
                .isFalse();
        for (String key :
                List.of("PERIMETER_BOOTSTRAP_ADMIN_KEY", "PERIMETER_REPLICA_SECRET", "SPRING_DATASOURCE_PASSWORD")) {
            assertThat(manifests.env(key).at("/valueFrom/secretKeyRef/optional").asBoolean())
                    .as(key)
                    .isTrue();
        }
    }

    @Test
    void aDatabaseUrlCarryingAPasswordIsRefused() {
        assertThatThrownBy(() -> Charts.render(
                        Charts.PERIMETER,
                        null,
                        Map.of(
                                "providers.kubernetes.enabled",
                                true,
                                "database.url",
                                "jdbc:postgresql://db:5432/perimeter?user=p&password=hunter2")))
                .hasMessageContaining("database.url must not carry a password");
    }

    @Test
    void providerCredentialsAreReferencedOnlyForEnabledProviders() {
        Manifests daytona = Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/daytona-values.yaml"));
        Manifests modal = Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/modal-values.yaml"));

        assertThat(daytona.env("DAYTONA_API_KEY")
                        .at("/valueFrom/secretKeyRef/key")
                        .asString())
                .isEqualTo("DAYTONA_API_KEY");
        assertThat(daytona.env("MODAL_TOKEN_SECRET").isMissingNode()).isTrue();
        assertThat(modal.env("MODAL_TOKEN_SECRET")
                        .at("/valueFrom/secretKeyRef/name")
                        .asString())
                .isEqualTo("perimeter");
        assertThat(modal.env("DAYTONA_API_KEY").isMissingNode()).isTrue();
        assertThat(daytona.settings().at("/data/SANDBOX_PROVIDER").asString()).isEqualTo("daytona");
        assertThat(daytona.settings()
                        .at("/data/PERIMETER_PROVIDERS_LOCAL_ENABLED")
                        .asString())
                .isEqualTo("false");
    }

    @Test
    void aRemoteProviderWithoutTheSecretOrADisabledDefaultProviderIsRefused() {
        assertThatThrownBy(() -> Charts.render(
                        Charts.PERIMETER,
                        null,
                        Map.of(
                                "database.url",
                                "jdbc:postgresql://db:5432/perimeter",
                                "sandbox.defaultProvider",
                                "vercel",
                                "providers.vercel.enabled",
                                true)))
                .hasMessageContaining("providers.vercel needs its credentials");
        assertThatThrownBy(() ->
                        Charts.render(Charts.PERIMETER, null, Map.of("database.embedded", true, "replicaCount", 1)))
                .hasMessageContaining(
                        "sandbox.defaultProvider is \"kubernetes\" but providers.kubernetes.enabled is not true");
    }

    @Test
    void aGracePeriodShorterThanTheShutdownIsRefused() {
        assertThatThrownBy(() -> Charts.render(
                        Charts.PERIMETER,
                        Charts.PERIMETER.resolve("ci/kubernetes-values.yaml"),
                        Map.of("terminationGracePeriodSeconds", 20)))
                .hasMessageContaining("terminationGracePeriodSeconds (20) must cover");
    }

    @Test
    void theBundledPostgresqlIsTheOfficialImageWithItsPasswordFromTheSecret() {
        Manifests manifests =
                Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/bundled-postgresql-values.yaml"));
        JsonNode statefulSet = manifests.one("StatefulSet");
        JsonNode postgres = statefulSet.at("/spec/template/spec/containers/0");

        assertThat(postgres.path("image").asString()).startsWith("postgres:");
        assertThat(statefulSet
                        .at("/spec/template/spec/securityContext/runAsNonRoot")
                        .asBoolean())
                .isTrue();
        assertThat(postgres.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(manifests.env("SPRING_DATASOURCE_URL").path("value").asString())
                .isEqualTo("jdbc:postgresql://perimeter-postgresql:5432/perimeter");
        assertThat(manifests
                        .env("SPRING_DATASOURCE_PASSWORD")
                        .at("/valueFrom/secretKeyRef/key")
                        .asString())
                .isEqualTo("POSTGRES_PASSWORD");
        assertThat(postgres.at("/env/2/name").asString()).isEqualTo("POSTGRES_PASSWORD");
        assertThat(postgres.at("/env/2/valueFrom/secretKeyRef/name").asString()).isEqualTo("perimeter");
        assertThat(manifests.env("DATABASE_URL").isMissingNode()).isTrue();
        assertThat(manifests.ofKind("Service"))
                .extracting(service -> service.at("/metadata/name").asString())
                .contains("perimeter-postgresql");
        assertThat(statefulSet
                        .at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage")
                        .asString())
                .isEqualTo("2Gi");
        assertThat(manifests.one("Namespace").at("/metadata/name").asString()).isEqualTo("perimeter-sandboxes");
    }

    @Test
    void ingressAutoscalingAndMonitoringRenderTogether() {
        Manifests manifests =
                Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/ingress-hpa-servicemonitor-values.yaml"));
        JsonNode monitor = manifests.one("ServiceMonitor");

        assertThat(manifests.one("Deployment").at("/spec/replicas").isMissingNode())
                .as("the HPA owns the replica count")
                .isTrue();
        assertThat(manifests
                        .one("HorizontalPodAutoscaler")
                        .at("/spec/scaleTargetRef/name")
                        .asString())
                .isEqualTo("perimeter");
        assertThat(manifests.one("PodDisruptionBudget").at("/spec/minAvailable").asInt())
                .isEqualTo(1);
        assertThat(manifests
                        .one("Ingress")
                        .at("/spec/rules/0/http/paths/0/backend/service/name")
                        .asString())
                .isEqualTo("perimeter");
        assertThat(monitor.at("/spec/endpoints/0/path").asString()).isEqualTo("/actuator/prometheus");
        assertThat(monitor.at("/spec/endpoints/0/authorization/credentials/name")
                        .asString())
                .isEqualTo("perimeter-metrics");
        assertThat(monitor.at("/metadata/labels/release").asString()).isEqualTo("kube-prometheus-stack");
    }

    @Test
    void noOptionalObjectIsRenderedUnlessAskedFor() {
        Manifests manifests =
                Charts.render(Charts.PERIMETER, Charts.PERIMETER.resolve("ci/embedded-trial-values.yaml"));

        assertThat(manifests.objects())
                .extracting(object -> object.path("kind").asString())
                .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment");
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    static List<String> strings(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.path(field).asString()));
        return values;
    }
}
