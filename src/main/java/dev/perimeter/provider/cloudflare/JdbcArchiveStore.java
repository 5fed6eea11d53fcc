package dev.perimeter.provider.cloudflare;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link ArchiveStore} in the {@code cloudflare_snapshots} table. */
final class JdbcArchiveStore implements ArchiveStore {

    private final JdbcClient jdbc;

    JdbcArchiveStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void put(String snapshotRef, byte[] archive) {
        jdbc.sql("insert into cloudflare_snapshots (snapshot_ref, archive, size_bytes) values (?, ?, ?)"
                        + " on conflict (snapshot_ref) do update set archive = excluded.archive,"
                        + " size_bytes = excluded.size_bytes")
                .params(snapshotRef, archive, archive.length)
                .update();
    }

    @Override
    public Optional<byte[]> get(String snapshotRef) {
        return jdbc.sql("select archive from cloudflare_snapshots where snapshot_ref = ?")
                .param(snapshotRef)
                .query((row, n) -> row.getBytes(1))
                .optional();
    }

    @Override
    public void delete(String snapshotRef) {
        jdbc.sql("delete from cloudflare_snapshots where snapshot_ref = ?")
                .param(snapshotRef)
                .update();
    }
}
