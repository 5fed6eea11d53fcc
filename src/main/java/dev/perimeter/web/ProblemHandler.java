package dev.perimeter.web;

import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.shared.Problems;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.shared.ValidationFailedException.FieldError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Turns every exception that reaches Spring MVC into an RFC 9457 problem: Perimeter's own exceptions keep their type,
 * the framework's get ours, unreadable JSON and unknown enum values become {@code validation-failed}, and anything
 * unexpected is a logged 500 whose body says nothing of the internals.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<Object> accessDenied(AccessDeniedException e, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
        problem.setTitle("Forbidden");
        return render(problem, new HttpHeaders(), request);
    }

    /** Bean Validation of a method's arguments outside Spring MVC's own validation. */
    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> constraintViolation(ConstraintViolationException e, WebRequest request) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(violation ->
                        new FieldError(leafOf(violation.getPropertyPath().toString()), violation.getMessage()))
                .sorted(java.util.Comparator.comparing(FieldError::field))
                .toList();
        return render(new ValidationFailedException(errors).getBody(), new HttpHeaders(), request);
    }

    private static String leafOf(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    /**
     * A query string met while routing that Tomcat cannot decode (not percent-encoded UTF-8) or whose values the
     * firewall refuses (control characters).
     */
    @ExceptionHandler({InvalidParameterException.class, RequestRejectedException.class})
    ResponseEntity<Object> unacceptableQuery(RuntimeException e, WebRequest request) {
        log.debug("Query string refused: {}", e.getMessage());
        return render(
                new ValidationFailedException("query", "must be percent-encoded UTF-8 without control characters")
                        .getBody(),
                new HttpHeaders(),
                request);
    }

    /** A {@code multipart/*} body that cannot be parsed (no boundary, truncated); a too large one stays a 413. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Object> unreadableMultipart(MultipartException e, WebRequest request) {
        log.debug("Multipart body refused: {}", e.getMessage());
        return render(
                new ValidationFailedException("body", "is not a well-formed multipart body").getBody(),
                new HttpHeaders(),
                request);
    }

    /** JSON a controller binds itself (a merge patch applied to a resource) and cannot map. */
    @ExceptionHandler(JacksonException.class)
    ResponseEntity<Object> unmappable(JacksonException e, WebRequest request) {
        return render(InputErrors.unreadableBody(e).getBody(), new HttpHeaders(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
        PayloadTooLargeException tooLarge = InputErrors.causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return render(tooLarge.getBody(), tooLarge.getHeaders(), request);
        }
        DatabaseUnavailableException unavailable = DatabaseUnavailableException.explaining(e);
        if (unavailable != null) {
            log.warn("The database could not be reached: {}", e.toString());
            return render(unavailable.getBody(), unavailable.getHeaders(), request);
        }
        log.error("Unexpected error", e);
        return render(internalError(), new HttpHeaders(), request);
    }

    /** The answer to a failure of ours: it says nothing of the internals, only to quote the correlation id. */
    static ProblemDetail internalError() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred; quote the correlation id to support");
        problem.setTitle("Internal error");
        return problem;
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        PayloadTooLargeException tooLarge = InputErrors.causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return render(tooLarge.getBody(), tooLarge.getHeaders(), request);
        }
        return render(InputErrors.unreadableBody(e).getBody(), headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(error ->
                        errors.add(new FieldError(error.getField(), String.valueOf(error.getDefaultMessage()))));
        e.getBindingResult()
                .getGlobalErrors()
                .forEach(error ->
                        errors.add(new FieldError(error.getObjectName(), String.valueOf(error.getDefaultMessage()))));
        return render(new ValidationFailedException(errors).getBody(), headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new FieldError(
                                String.valueOf(result.getMethodParameter().getParameterName()),
                                String.valueOf(error.getDefaultMessage()))))
                .toList();
        return render(new ValidationFailedException(errors).getBody(), headers, request);
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail
                ? detail
                : ProblemDetail.forStatusAndDetail(
                        status, HttpStatus.valueOf(status.value()).getReasonPhrase());
        if (problem.getStatus() >= 500) {
            log.error("{} {}", problem.getStatus(), problem.getDetail());
        } else {
            log.debug("{} {}", problem.getStatus(), problem.getDetail());
        }
        return render(problem, headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleErrorResponseException(
            ErrorResponseException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (status.is5xxServerError() && e instanceof PerimeterException) {
            // A condition Perimeter named (no agent connected, a provider down): its cause, if any, is the interesting
            // stack, not the path through our own code.
            log.warn("{}", e.getMessage(), e.getCause());
        } else if (status.is5xxServerError()) {
            log.error("{}", e.getMessage(), e);
        } else {
            log.debug("{}", e.getMessage());
        }
        return render(e.getBody(), headers, request);
    }

    private ResponseEntity<Object> render(ProblemDetail problem, HttpHeaders headers, WebRequest request) {
        HttpHeaders out = new HttpHeaders();
        out.putAll(headers);
        out.setContentType(MediaType.parseMediaType(Problems.MEDIA_TYPE));
        Map<String, Object> body = Problems.body(problem, pathOf(request));
        request.setAttribute(AuditInterceptor.PROBLEM_ATTRIBUTE, slugOf(body.get("type")), WebRequest.SCOPE_REQUEST);
        return new ResponseEntity<>(body, out, problem.getStatus());
    }

    private static String slugOf(@Nullable Object typeUri) {
        String type = String.valueOf(typeUri);
        return type.substring(type.lastIndexOf('/') + 1);
    }

    private static String pathOf(WebRequest request) {
        if (request instanceof ServletWebRequest servlet) {
            HttpServletRequest http = servlet.getRequest();
            return http.getRequestURI();
        }
        return "";
    }

    /** A path variable or query parameter of the wrong type: named, with what it must be, without echoing it. */
    @Override
    protected @Nullable ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException argument
                ? argument.getName()
                : String.valueOf(e.getPropertyName());
        return render(
                new ValidationFailedException(name, InputErrors.expected(e.getRequiredType())).getBody(),
                headers,
                request);
    }
}
