package dev.perimeter.connector.anthropic;

import dev.perimeter.shared.Ids;
import org.springframework.stereotype.Component;

/** This replica's name in the claims it takes on work items, new at every start. */
@Component
class ReplicaId {

    private final String value = Ids.next("replica");

    String value() {
        return value;
    }
}
