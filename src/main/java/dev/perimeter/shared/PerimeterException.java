package dev.perimeter.shared;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Base of every error Perimeter answers with. Each subclass names one fact ({@code NoSuchSandboxException}) and
 * carries a stable RFC 9457 problem {@code type} of the form {@code https://perimeter.dev/problems/<slug>}.
 */
public abstract class PerimeterException extends ErrorResponseException {

    /** Prefix of every problem type URI. */
    public static final String PROBLEM_BASE = "https://perimeter.dev/problems/";

    private final String slug;

    protected PerimeterException(HttpStatus status, String slug, String title, String detail) {
        this(status, slug, title, detail, null);
    }

    protected PerimeterException(HttpStatus status, String slug, String title, String detail, Throwable cause) {
        super(status, problem(status, slug, title, detail), cause);
        this.slug = slug;
    }

    /** The problem type's slug, such as {@code quota-exceeded}. */
    public String slug() {
        return slug;
    }

    /** A problem of one of Perimeter's types, for code that writes a problem without throwing (a filter). */
    public static ProblemDetail problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(typeOf(slug));
        problem.setTitle(title);
        return problem;
    }

    /** The problem type URI for a slug such as {@code not-found}. */
    public static URI typeOf(String slug) {
        return URI.create(PROBLEM_BASE + slug);
    }

    /** Adds an RFC 9457 extension member to the problem body. */
    protected final void extend(String name, Object value) {
        getBody().setProperty(name, value);
    }

    /** Asks the client to retry after the given number of seconds. */
    protected final void retryAfter(long seconds) {
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }

    @Override
    public String getMessage() {
        return getBody().getTitle() + ": " + getBody().getDetail();
    }
}
