package dev.perimeter.provider;

/**
 * A snapshot a provider made.
 *
 * @param snapshotRef the vendor's reference, passed back to restore or delete it
 * @param sizeBytes its size as stored
 * @param persistence what it really is on this provider
 */
public record SnapshotResult(String snapshotRef, long sizeBytes, SnapshotPersistence persistence) {}
