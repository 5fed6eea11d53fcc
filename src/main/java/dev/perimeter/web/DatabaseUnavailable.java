package dev.perimeter.web;

import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A request that failed because PostgreSQL could not be reached (no connection within the pool's timeout, a
 * connection lost mid-statement) is Perimeter's outage, not the caller's mistake: it answers 503 {@code
 * service-unavailable} with {@code Retry-After}, which clients retry, rather than a 500, which they report.
 */
final class DatabaseUnavailable {

    /** Seconds a client is asked to wait: about as long as a pool takes to reconnect once the database is back. */
    static final long RETRY_AFTER_SECONDS = 5;

    private DatabaseUnavailable() {}

    /** Whether {@code failure}, or one of its causes, says the database could not be reached. */
    static boolean explains(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    static ProblemDetail problem() {
        return ProblemWriter.problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                "Perimeter cannot reach its database right now; retry after the delay given");
    }

    static HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS));
        return headers;
    }
}
