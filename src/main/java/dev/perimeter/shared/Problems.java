package dev.perimeter.shared;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ProblemDetail;

/**
 * Renders a {@link ProblemDetail} as the flat RFC 9457 JSON object Perimeter answers with: the standard members, then
 * {@code correlationId}, then the problem's extensions.
 */
public final class Problems {

    /** The media type of every error response. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {}

    /** The JSON members of a problem answering the request at {@code path}. */
    public static Map<String, Object> body(ProblemDetail problem, String path) {
        Map<String, Object> body = new LinkedHashMap<>();
        URI type = problem.getType();
        boolean blank = type == null || "about:blank".equals(type.toString());
        body.put("type", blank ? slugFor(problem.getStatus()) : type.toString());
        body.put("title", problem.getTitle() != null ? problem.getTitle() : titleFor(problem.getStatus()));
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        body.put(
                "instance",
                problem.getInstance() != null ? problem.getInstance().toString() : path);
        body.put(CorrelationId.KEY, CorrelationId.current());
        if (problem.getProperties() != null) {
            problem.getProperties().forEach(body::putIfAbsent);
        }
        return body;
    }

    private static String titleFor(int status) {
        org.springframework.http.HttpStatus known = org.springframework.http.HttpStatus.resolve(status);
        return known != null ? known.getReasonPhrase() : "Error";
    }

    /** Our problem type URI for a status raised by the framework or the server rather than by our code. */
    public static String typeForStatus(int status) {
        return slugFor(status);
    }

    static String slugFor(int status) {
        String slug =
                switch (status) {
                    case 400 -> "validation-failed";
                    case 401 -> "unauthorized";
                    case 403 -> "forbidden";
                    case 404 -> "not-found";
                    case 405 -> "method-not-allowed";
                    case 406 -> "not-acceptable";
                    case 409 -> "conflict";
                    case 413 -> "payload-too-large";
                    case 415 -> "unsupported-media-type";
                    case 503 -> "service-unavailable";
                    default -> status >= 500 ? "internal-error" : "bad-request";
                };
        return PerimeterException.PROBLEM_BASE + slug;
    }
}
