package dev.perimeter.web;

import dev.perimeter.shared.PerimeterException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A request that failed because PostgreSQL could not be reached (no connection within the pool's timeout, a
 * connection lost mid-statement) is Perimeter's outage, not the caller's mistake: it answers 503 {@code
 * service-unavailable} with {@code Retry-After}, which clients retry, rather than a 500, which they report.
 */
class DatabaseUnavailableException extends PerimeterException {

    /** Seconds a client is asked to wait: about as long as a pool takes to reconnect once the database is back. */
    private static final long RETRY_AFTER_SECONDS = 5;

    private static final List<Class<? extends Throwable>> UNREACHABLE = List.of(
            DataAccessResourceFailureException.class,
            TransientDataAccessResourceException.class,
            CannotCreateTransactionException.class,
            SQLTransientConnectionException.class,
            SQLNonTransientConnectionException.class);

    private DatabaseUnavailableException() {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                "Perimeter cannot reach its database right now; retry after the delay given");
        retryAfter(RETRY_AFTER_SECONDS);
    }

    /** The outage that explains {@code failure} or one of its causes, or {@code null} if the database was reachable. */
    static @Nullable DatabaseUnavailableException explaining(Throwable failure) {
        boolean unreachable = UNREACHABLE.stream().anyMatch(type -> InputErrors.causeOf(failure, type) != null);
        return unreachable ? new DatabaseUnavailableException() : null;
    }
}
