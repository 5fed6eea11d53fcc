package dev.perimeter.web;

import dev.perimeter.shared.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import tools.jackson.databind.json.JsonMapper;

/** Writes a problem straight to the servlet response, for errors raised in filters before Spring MVC runs. */
@Component
class ProblemWriter {

    private final JsonMapper json;

    ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException {
        write(request.getRequestURI(), response, problem);
    }

    /** Writes an error's problem and its headers (a {@code Retry-After}) as the answer to the request for {@code path}. */
    void write(String path, HttpServletResponse response, ErrorResponse error) throws IOException {
        if (!response.isCommitted()) {
            error.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        }
        write(path, response, error.getBody());
    }

    /** Writes the problem as the answer to the request for {@code path}. */
    void write(String path, HttpServletResponse response, ProblemDetail problem) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.getStatus());
        response.setContentType(Problems.MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), Problems.body(problem, path));
    }
}
