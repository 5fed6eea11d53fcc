package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A snapshot that cannot be restored because it is not {@code READY}. */
public class SnapshotNotReadyException extends PerimeterException {

    SnapshotNotReadyException(Snapshot snapshot) {
        super(
                HttpStatus.CONFLICT,
                "conflict",
                "Snapshot not ready",
                "Snapshot '" + snapshot.getId() + "' is " + snapshot.getState() + " and cannot be restored");
        extend("state", snapshot.getState().name());
    }
}
