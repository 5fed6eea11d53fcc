package dev.perimeter.sandbox;

import java.util.Set;

/** Where a snapshot is in its life. */
public enum SnapshotState {
    CREATING,
    READY,
    EXPIRED,
    DELETED,
    FAILED;

    /** States that count against the tenant's {@code maxSnapshots}. */
    public static final Set<SnapshotState> LIVE = Set.of(CREATING, READY);
}
