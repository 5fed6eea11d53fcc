package dev.perimeter.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers the servlet container's error dispatches with a problem, as every other error is answered: a method Tomcat
 * refuses ({@code TRACE}), a body it cannot read (a malformed chunk), an exception thrown outside Spring MVC. It
 * replaces Spring Boot's error controller, whose JSON is not a problem and which answers browsers with an HTML page.
 * {@link CorrelationIdFilter} runs on the error dispatch too, so the problem carries the request's correlation id.
 */
@Hidden // the container's error dispatch, not an operation of the API
@RestController
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    private final ProblemWriter problems;

    ProblemErrorController(ProblemWriter problems) {
        this.problems = problems;
    }

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int status = statusOf(request);
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String uri = path instanceof String given ? given : request.getRequestURI();
        Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        DatabaseUnavailableException unavailable = status == 500 && failure instanceof Throwable thrown
                ? DatabaseUnavailableException.explaining(thrown)
                : null;
        if (unavailable != null) {
            log.warn("The database could not be reached answering {}: {}", uri, String.valueOf(failure));
            problems.write(uri, response, unavailable);
            return;
        }
        ProblemDetail problem;
        if (status >= 500) {
            log.error("{} answering {}", status, uri, failure instanceof Throwable thrown ? thrown : null);
            problem = ProblemHandler.internalError();
        } else {
            log.debug("{} answering {}: {}", status, uri, failure);
            HttpStatus known = HttpStatus.resolve(status);
            problem = ProblemDetail.forStatusAndDetail(
                    HttpStatusCode.valueOf(status),
                    "The request was refused: " + (known != null ? known.getReasonPhrase() : "error"));
        }
        problems.write(uri, response, problem);
    }

    private static int statusOf(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer number ? number : 500;
        return status >= 400 && status <= 599 ? status : 500;
    }
}
