package dev.perimeter.provider.daytona;

import com.atlassian.oai.validator.interaction.request.CustomRequestValidator;
import com.atlassian.oai.validator.model.ApiOperation;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request validator leaves {@code multipart/form-data} bodies unchecked; this checks their field names against the
 * operation's schema: every required field present, none undeclared.
 */
final class MultipartFields implements CustomRequestValidator {

    private static final Pattern FIELD = Pattern.compile("(?i)Content-Disposition:\\s*form-data;\\s*name=\"([^\"]*)\"");

    private final OpenAPI api;

    MultipartFields(OpenAPI api) {
        this.api = api;
    }

    @Override
    public ValidationReport validate(Request request, ApiOperation operation) {
        if (operation.getOperation().getRequestBody() == null
                || operation.getOperation().getRequestBody().getContent() == null) {
            return ValidationReport.empty();
        }
        MediaType multipart =
                operation.getOperation().getRequestBody().getContent().get("multipart/form-data");
        boolean sentMultipart = request.getHeaderValue("Content-Type")
                .map(type -> type.toLowerCase().startsWith("multipart/form-data"))
                .orElse(false);
        if (multipart == null || !sentMultipart) {
            return ValidationReport.empty();
        }
        Schema<?> schema = resolve(multipart.getSchema());
        Set<String> sent = new LinkedHashSet<>();
        try {
            String body = request.getRequestBody().isPresent()
                    ? request.getRequestBody().get().toString(StandardCharsets.ISO_8859_1)
                    : "";
            Matcher matcher = FIELD.matcher(body);
            while (matcher.find()) {
                sent.add(matcher.group(1));
            }
        } catch (IOException e) {
            return report("the multipart body could not be read: " + e.getMessage());
        }
        List<ValidationReport.Message> messages = new ArrayList<>();
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        for (String field : required) {
            if (!sent.contains(field)) {
                messages.add(message("required multipart field '" + field + "' is missing; sent " + sent));
            }
        }
        Set<String> declared = schema.getProperties() == null
                ? Set.of()
                : schema.getProperties().keySet();
        for (String field : sent) {
            if (!declared.contains(field)) {
                messages.add(message("multipart field '" + field + "' is not declared; declared " + declared));
            }
        }
        return ValidationReport.from(messages);
    }

    private Schema<?> resolve(Schema<?> schema) {
        if (schema != null && schema.get$ref() != null) {
            String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
            return api.getComponents().getSchemas().get(name);
        }
        return schema;
    }

    private static ValidationReport report(String text) {
        return ValidationReport.singleton(message(text));
    }

    private static ValidationReport.Message message(String text) {
        return ValidationReport.Message.create("validation.request.body.multipart", text)
                .build();
    }
}
