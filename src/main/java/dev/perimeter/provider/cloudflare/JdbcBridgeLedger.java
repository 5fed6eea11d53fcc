package dev.perimeter.provider.cloudflare;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link BridgeLedger} in the {@code cloudflare_sandboxes} table. */
final class JdbcBridgeLedger implements BridgeLedger {

    private final JdbcClient jdbc;

    JdbcBridgeLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(String bridgeId, String sandboxId) {
        jdbc.sql("insert into cloudflare_sandboxes (bridge_id, sandbox_id) values (?, ?) on conflict do nothing")
                .params(bridgeId, sandboxId)
                .update();
    }

    @Override
    public boolean contains(String bridgeId) {
        return jdbc.sql("select count(*) from cloudflare_sandboxes where bridge_id = ?")
                        .param(bridgeId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    @Override
    public void remove(String bridgeId) {
        jdbc.sql("delete from cloudflare_sandboxes where bridge_id = ?")
                .param(bridgeId)
                .update();
    }

    @Override
    public List<Entry> all() {
        return jdbc.sql("select bridge_id, sandbox_id from cloudflare_sandboxes order by created_at")
                .query((row, n) -> new Entry(row.getString(1), row.getString(2)))
                .list();
    }
}
