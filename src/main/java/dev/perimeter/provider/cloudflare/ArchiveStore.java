package dev.perimeter.provider.cloudflare;

import java.util.Optional;

/**
 * Workspace archives taken with the bridge's {@code persist}, kept by Perimeter because the bridge hands the tar back
 * and keeps nothing. Shared by every replica (it lives in Postgres) and kept until the snapshot is deleted.
 */
interface ArchiveStore {

    void put(String snapshotRef, byte[] archive);

    Optional<byte[]> get(String snapshotRef);

    void delete(String snapshotRef);
}
