package dev.perimeter.provider.daytona;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every request that reaches the fake — faults included — against Daytona's own OpenAPI documents (copied unchanged from the vendor into {@code src/test/resources/specs/daytona}): {@code
 * /api/…} against {@code daytona-api.openapi.yaml} (whose paths have no {@code /api} prefix), and {@code
 * /toolbox/{sandboxId}/…} against {@code daytona-toolbox.openapi.yaml} (whose paths are relative to {@code
 * {toolboxProxyUrl}/{sandboxId}}). Anything else is a violation too.
 */
public final class SpecValidation implements ServeEventListener {

    private static final Pattern TOOLBOX = Pattern.compile("/toolbox/[^/]+(/.*)");
    private static final OpenApiInteractionValidator API = validator("daytona-api.openapi.yaml");
    private static final OpenApiInteractionValidator TOOLBOX_API = validator("daytona-toolbox.openapi.yaml");

    private final List<String> violations = new CopyOnWriteArrayList<>();

    private static OpenApiInteractionValidator validator(String file) {
        try (var in = SpecValidation.class.getResourceAsStream("/specs/daytona/" + file)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource /specs/daytona/" + file);
            }
            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            OpenAPI api = new OpenAPIV3Parser()
                    .readContents(new String(in.readAllBytes(), StandardCharsets.UTF_8), null, options)
                    .getOpenAPI();
            return OpenApiInteractionValidator.createFor(api)
                    .withCustomRequestValidation(new MultipartFields(api))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String getName() {
        return "daytona-spec-validation";
    }

    @Override
    public boolean applyGlobally() {
        return true;
    }

    @Override
    public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
        violations.addAll(check(serveEvent.getRequest()));
    }

    /** What is wrong with this request per Daytona's documents; empty when it conforms. */
    static List<String> check(Request request) {
        String url = request.getUrl();
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? "" : url.substring(q + 1);
        OpenApiInteractionValidator validator;
        String specPath;
        Matcher toolbox = TOOLBOX.matcher(path);
        if (path.startsWith("/api/")) {
            validator = API;
            specPath = path.substring("/api".length());
        } else if (toolbox.matches()) {
            validator = TOOLBOX_API;
            specPath = toolbox.group(1);
        } else {
            return List.of(request.getMethod() + " " + path + ": not under /api or /toolbox/{sandboxId}");
        }
        SimpleRequest.Builder builder =
                new SimpleRequest.Builder(request.getMethod().getName(), decodePath(specPath));
        for (HttpHeader header : request.getHeaders().all()) {
            builder.withHeader(header.key(), header.values());
        }
        queryParameters(query).forEach(builder::withQueryParam);
        byte[] body = request.getBody();
        if (body != null && body.length > 0) {
            builder.withBody(body);
        }
        ValidationReport report = validator.validateRequest(builder.build());
        List<String> errors = new ArrayList<>();
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                errors.add(request.getMethod() + " " + path + ": " + message.getKey() + " " + message.getMessage());
            }
        }
        return errors;
    }

    private static String decodePath(String path) {
        return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> queryParameters(String query) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    /** Every violation seen since the last {@link #clear()}. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    public void clear() {
        violations.clear();
    }
}
