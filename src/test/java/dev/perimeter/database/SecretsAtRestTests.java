package dev.perimeter.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * No secret a caller hands Perimeter or Perimeter hands out is stored in clear: after keys are issued, tunnel tokens
 * issued and rotated, and secrets passed to sandboxes in their environment and on an exec's stdin, no row of any table
 * holds one of them.
 */
class SecretsAtRestTests extends ApiTestSupport {

    private static final String CREATE_ENV_SECRET = "create_env_planted_3f9a17c2";
    private static final String EXEC_ENV_SECRET = "exec_env_planted_8b21de40";
    private static final String STDIN_SECRET = "stdin_planted_5c7e0b93";

    @Autowired
    JdbcClient jdbc;

    @Test
    void noTableHoldsASecretInClear() {
        TestTenant tenant = newTenant();
        List<String> secrets = new ArrayList<>(List.of(
                ADMIN_KEY, tenant.key(), CREATE_ENV_SECRET, EXEC_ENV_SECRET, STDIN_SECRET, ANTHROPIC_WEBHOOK_KEY));

        Api.Response spare = api.post("/v1/tenants/" + tenant.id() + "/api-keys")
                .key(ADMIN_KEY)
                .json(Map.of("name", "ci"))
                .send();
        assertThat(spare.status()).as(spare.text()).isEqualTo(201);
        secrets.add(spare.json().get("key").asString());

        Api.Response sandbox = api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("Idempotency-Key", "secrets-at-rest-1")
                .json(Map.of("env", Map.of("API_TOKEN", CREATE_ENV_SECRET)))
                .send();
        assertThat(sandbox.status()).as(sandbox.text()).isEqualTo(201);
        exec(
                tenant,
                sandbox.json().get("id").asString(),
                Map.of(
                        "command", List.of("/bin/sh", "-c", "cat >/dev/null; test -n \"$DB_PASSWORD\""),
                        "env", Map.of("DB_PASSWORD", EXEC_ENV_SECRET),
                        "stdin", STDIN_SECRET));

        Api.Response tunnel = api.post("/v1/tunnels")
                .key(tenant.key())
                .json(Map.of("name", "private", "region", "eu-1"))
                .send();
        assertThat(tunnel.status()).as(tunnel.text()).isEqualTo(201);
        secrets.add(tunnel.json().get("token").asString());
        Api.Response rotated = api.post("/v1/tunnels/" + tunnel.json().get("id").asString() + "/rotate-token")
                .key(tenant.key())
                .send();
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        secrets.add(rotated.json().get("token").asString());

        List<String> tables = jdbc.sql("select table_name from information_schema.tables"
                        + " where table_schema = 'public' and table_type = 'BASE TABLE'")
                .query(String.class)
                .list();
        assertThat(tables).contains("api_keys", "tunnels", "sandboxes", "execs", "idempotency_keys");
        List<String> found = new ArrayList<>();
        for (String table : tables) {
            for (String secret : secrets) {
                Long rows = jdbc.sql("select count(*) from \"" + table + "\" t where t::text like ?")
                        .param("%" + secret + "%")
                        .query(Long.class)
                        .single();
                if (rows > 0) {
                    found.add(table + " holds " + secret.substring(0, 8) + "…");
                }
            }
        }
        assertThat(found).as("secrets stored in clear").isEmpty();
    }
}
