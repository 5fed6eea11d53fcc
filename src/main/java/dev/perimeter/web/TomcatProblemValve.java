package dev.perimeter.web;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Problems;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Answers errors Tomcat raises before Spring sees the request (an oversized header line, a malformed request line)
 * with a problem body instead of Tomcat's HTML page.
 */
public class TomcatProblemValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known != null ? known.getReasonPhrase() : "Error";
        String correlationId = CorrelationId.generate();
        String body = "{\"type\":\"" + Problems.typeForStatus(status) + "\",\"title\":\"" + escape(reason)
                + "\",\"status\":" + status + ",\"detail\":\"The request could not be read\",\"correlationId\":\""
                + correlationId + "\"}";
        try {
            response.setHeader(CorrelationId.HEADER, correlationId);
            response.setContentType(Problems.MEDIA_TYPE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response is already committed: nothing more to say
        }
    }

    private static String escape(String text) {
        return text == null ? "Error" : text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
