package dev.perimeter.tunnel.relay;

import dev.perimeter.web.ApiKeyAuthenticator;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Puts the tunnel endpoints that no controller serves into {@code /v3/api-docs}: the agents' WebSocket and the MCP
 * relay ({@link McpRelayFilter}). It runs before the customizer that documents each {@code /v1} operation's problems,
 * so the relay's operations get theirs too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TunnelEndpointDocumentation implements GlobalOpenApiCustomizer {

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getPaths() == null) {
            openApi.setPaths(new Paths());
        }
        Operation connect = new Operation()
                .addTagsItem("tunnel-agents")
                .summary("Tunnel agent connection")
                .description("WebSocket upgrade for the tunnel agent, authenticated with 'Authorization: Bearer"
                        + " <tunnel token>' (not an API key). Binary frames multiplex the relayed MCP calls.")
                .addParametersItem(new PathParameter().name("tunnelId").schema(new StringSchema()))
                .security(java.util.List.of(new SecurityRequirement()))
                .responses(new ApiResponses()
                        .addApiResponse("101", new ApiResponse().description("Switching to the tunnel protocol"))
                        .addApiResponse("401", new ApiResponse().description("Not the tunnel's current token"))
                        .addApiResponse("403", new ApiResponse().description("The tunnel belongs to another region"))
                        .addApiResponse(
                                "409",
                                new ApiResponse()
                                        .description("https://perimeter.dev/problems/tunnel-replica-held: this replica"
                                                + " is named in X-Perimeter-Avoid-Replicas; dial again")));
        openApi.getPaths().addPathItem("/v1/tunnels/{tunnelId}/connect", new PathItem().get(connect));
        openApi.getPaths()
                .addPathItem(
                        "/v1/tunnels/{tunnelId}/mcp",
                        new PathItem()
                                .post(withBody(relayed("relayPost", "A JSON-RPC message to the private MCP server")))
                                .get(relayed("relayGet", "The private MCP server's event stream for the session")
                                        .addParametersItem(header("Last-Event-ID")))
                                .delete(relayed("relayDelete", "Ends the MCP session on the private server")));
    }

    private static Operation relayed(String id, String summary) {
        return new Operation()
                .operationId(id)
                .addTagsItem("mcp-relay")
                .summary(summary)
                .description("MCP Streamable HTTP, relayed through the tunnel's agent to the private MCP server. The"
                        + " tenant key goes in 'Authorization: Bearer', or in 'X-Perimeter-Key' when 'Authorization'"
                        + " is the private server's. The server's status, body and MCP headers come back unchanged;"
                        + " the problems below are Perimeter's own.")
                .addParametersItem(new PathParameter().name("tunnelId").schema(new StringSchema()))
                .addParametersItem(header(ApiKeyAuthenticator.KEY_HEADER))
                .addParametersItem(header("Mcp-Session-Id"))
                .addParametersItem(header("MCP-Protocol-Version"))
                .responses(new ApiResponses()
                        .addApiResponse(
                                "200",
                                new ApiResponse()
                                        .description("The private server's answer: JSON, or an event stream")
                                        .content(new Content()
                                                .addMediaType("application/json", new MediaType())
                                                .addMediaType("text/event-stream", new MediaType()))));
    }

    /** A POST carries one JSON-RPC message; a notification or a response is answered 202. */
    private static Operation withBody(Operation operation) {
        operation.requestBody(new RequestBody()
                .required(true)
                .content(new Content().addMediaType("application/json", new MediaType().schema(new ObjectSchema()))));
        operation
                .getResponses()
                .addApiResponse("202", new ApiResponse().description("A notification or response accepted"));
        return operation;
    }

    private static Parameter header(String name) {
        return new HeaderParameter().name(name).required(false).schema(new StringSchema());
    }
}
