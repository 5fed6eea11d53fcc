package dev.perimeter.connector.anthropic;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.ConflictException;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.NotFoundException;
import dev.perimeter.shared.Page;
import dev.perimeter.tenant.TenantManagement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Binds Anthropic environments to tenants, lists and unbinds them. Admin-only; the key is never stored. */
@Service
public class EnvironmentBindings {

    private static final String COLUMNS =
            """
            id, tenant_id, environment_id, environment_key_ref, provider, region, image, vcpus, memory_mib,
            lifetime_seconds, egress_mode, worker_command, status, created_at, last_polled_at, last_error""";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final TenantManagement tenants;
    private final Clock clock;

    EnvironmentBindings(JdbcClient jdbc, JsonMapper json, TenantManagement tenants, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** Binds the environment; an unknown tenant answers 404, an environment already bound 409. */
    public EnvironmentBinding create(NewBinding request) {
        tenants.get(request.tenantId());
        KeyReference key = KeyReference.parse(request.environmentKeyRef());
        EnvironmentBinding binding = new EnvironmentBinding(
                Ids.next("aenv"),
                request.tenantId(),
                request.environmentId(),
                key.text(),
                request.provider(),
                request.region(),
                request.image(),
                request.resources(),
                request.lifetime(),
                request.egress() == null ? EgressMode.ALLOW_ALL : request.egress(),
                request.workerCommand() == null ? EnvironmentBinding.DEFAULT_WORKER : request.workerCommand(),
                "ACTIVE",
                clock.instant(),
                null,
                null);
        try {
            jdbc.sql(
                            """
                            insert into anthropic_environments (id, tenant_id, environment_id, environment_key_ref,
                                provider, region, image, vcpus, memory_mib, lifetime_seconds, egress_mode,
                                worker_command, status, created_at)
                            values (:id, :tenant, :environment, :keyRef, :provider, :region, :image, :vcpus, :memory,
                                :lifetime, :egress, :worker, 'ACTIVE', :createdAt)""")
                    .param("id", binding.id())
                    .param("tenant", binding.tenantId())
                    .param("environment", binding.environmentId())
                    .param("keyRef", binding.environmentKeyRef())
                    .param("provider", binding.provider())
                    .param("region", binding.region())
                    .param("image", binding.image())
                    .param(
                            "vcpus",
                            binding.resources() == null
                                    ? null
                                    : binding.resources().vcpus())
                    .param(
                            "memory",
                            binding.resources() == null
                                    ? null
                                    : binding.resources().memoryMib())
                    .param(
                            "lifetime",
                            binding.lifetime() == null
                                    ? null
                                    : binding.lifetime().toSeconds())
                    .param("egress", binding.egress().name())
                    .param("worker", json.writeValueAsString(binding.workerCommand()))
                    .param("createdAt", Timestamp.from(binding.createdAt()))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new ConflictException(
                    "Environment '" + binding.environmentId() + "' is already bound; delete that binding first");
        }
        return binding;
    }

    /** The binding, live or deleted. */
    public EnvironmentBinding get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("Environment binding", id));
    }

    Optional<EnvironmentBinding> find(String id) {
        if (!Ids.looksLike("aenv", id)) {
            return Optional.empty();
        }
        return jdbc.sql("select " + COLUMNS + " from anthropic_environments where id = ?")
                .param(id)
                .query(this::map)
                .optional();
    }

    /** Bindings, newest first, of one tenant or of all. */
    public Page<EnvironmentBinding> list(@Nullable String tenantId, @Nullable String cursor, @Nullable Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<EnvironmentBinding> rows = jdbc.sql(
                        "select " + COLUMNS
                                + """
                         from anthropic_environments
                        where (cast(:tenant as text) is null or tenant_id = :tenant)
                          and (created_at, id) < (:createdAt, :id)
                        order by created_at desc, id desc limit :limit""")
                .param("tenant", tenantId)
                .param("createdAt", Timestamp.from(after.createdAt()))
                .param("id", after.id())
                .param("limit", size + 1)
                .query(this::map)
                .list();
        return Page.ofRows(rows, size, last -> new Cursor(last.createdAt(), last.id()));
    }

    /** Stops polling the environment; its running sessions finish. Deleting again answers the deleted binding. */
    public EnvironmentBinding delete(String id) {
        get(id);
        jdbc.sql(
                        "update anthropic_environments set status = 'DELETED', deleted_at = :now where id = :id and status = 'ACTIVE'")
                .param("now", Timestamp.from(clock.instant()))
                .param("id", id)
                .update();
        return get(id);
    }

    /** Every binding whose queue is polled. */
    List<EnvironmentBinding> active() {
        return jdbc.sql("select " + COLUMNS + " from anthropic_environments where status = 'ACTIVE' order by id")
                .query(this::map)
                .list();
    }

    /** Records a poll and why it failed, if it did. */
    void polled(String id, @Nullable String error) {
        jdbc.sql("update anthropic_environments set last_polled_at = :now, last_error = :error where id = :id")
                .param("now", Timestamp.from(clock.instant()))
                .param("error", error == null ? null : error.substring(0, Math.min(500, error.length())))
                .param("id", id)
                .update();
    }

    /** How many of the binding's sessions have a running sandbox. */
    public long sessionsRunning(String id) {
        return jdbc.sql("select count(*) from anthropic_sessions where binding_id = ? and state = 'RUNNING'")
                .param(id)
                .query(Long.class)
                .single();
    }

    private EnvironmentBinding map(ResultSet rs, int row) throws SQLException {
        Integer vcpus = rs.getObject("vcpus", Integer.class);
        Integer memory = rs.getObject("memory_mib", Integer.class);
        Long lifetime = rs.getObject("lifetime_seconds", Long.class);
        return new EnvironmentBinding(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("environment_id"),
                rs.getString("environment_key_ref"),
                rs.getString("provider"),
                rs.getString("region"),
                rs.getString("image"),
                vcpus == null || memory == null ? null : new SandboxSpec.Resources(vcpus, memory, null),
                lifetime == null ? null : Duration.ofSeconds(lifetime),
                EgressMode.valueOf(rs.getString("egress_mode")),
                json.readValue(rs.getString("worker_command"), new TypeReference<List<String>>() {}),
                rs.getString("status"),
                instant(rs, "created_at"),
                instantOrNull(rs, "last_polled_at"),
                rs.getString("last_error"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).toInstant();
    }

    static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }
}
