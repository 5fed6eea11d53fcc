package dev.perimeter.provider;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot a provider made.
 *
 * @param snapshotRef the vendor's reference, passed back to restore or delete it
 * @param sizeBytes its size as stored
 * @param persistence what it really is on this provider
 * @param expiresAt when the vendor itself will delete it, or {@code null} when it keeps it until deleted
 */
public record SnapshotResult(
        String snapshotRef, long sizeBytes, SnapshotPersistence persistence, @Nullable Instant expiresAt) {

    /** A snapshot the vendor keeps until it is deleted. */
    public SnapshotResult(String snapshotRef, long sizeBytes, SnapshotPersistence persistence) {
        this(snapshotRef, sizeBytes, persistence, null);
    }
}
