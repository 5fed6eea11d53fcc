package dev.perimeter.provider.vercel;

/**
 * A refusal the fake answers in Vercel's error shape, {@code {"error":{"code","message"}}} (the shape the SDK's
 * {@code base-client.ts} parses).
 */
final class VercelError extends RuntimeException {

    final int status;
    final String code;

    VercelError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static VercelError badRequest(String message) {
        return new VercelError(400, "bad_request", message);
    }

    static VercelError notFound(String message) {
        return new VercelError(404, "not_found", message);
    }
}
