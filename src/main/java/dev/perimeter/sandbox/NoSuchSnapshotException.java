package dev.perimeter.sandbox;

import dev.perimeter.shared.NotFoundException;

/** No snapshot with that id belongs to the caller's tenant. */
public class NoSuchSnapshotException extends NotFoundException {

    public NoSuchSnapshotException(String snapshotId) {
        super("snapshot", snapshotId);
    }
}
