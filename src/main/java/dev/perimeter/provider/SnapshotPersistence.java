package dev.perimeter.provider;

/** What a provider's snapshot really is. */
public enum SnapshotPersistence {
    /** Lives only as long as the vendor keeps it, and the vendor may expire it on its own. */
    EPHEMERAL,
    /** Stored until deleted, and billed for storage (e.g. a tarball on disk, a Modal image). */
    PERSISTENT
}
