package dev.perimeter.sandbox;

/** Where a snapshot is in its life. */
public enum SnapshotState {
    CREATING,
    READY,
    EXPIRED,
    DELETED,
    FAILED
}
