package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** A create (or snapshot) would take the tenant or agent past its parallel limit; retry once something ends. */
public class QuotaExceededException extends PerimeterException {

    /** Whose limit was reached. */
    public enum Scope {
        TENANT,
        AGENT
    }

    private final Scope scope;

    QuotaExceededException(Scope scope, String resource, int limit, long current, Duration retryAfter) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "quota-exceeded",
                "Quota exceeded",
                (scope == Scope.TENANT ? "The tenant" : "The agent") + " already has " + current + " of its " + limit
                        + " " + resource + "; retry after one has ended");
        this.scope = scope;
        extend("scope", scope.name());
        extend("resource", resource);
        extend("limit", limit);
        extend("current", current);
        retryAfter(Math.max(1, retryAfter.toSeconds()));
    }

    public Scope getScope() {
        return scope;
    }
}
