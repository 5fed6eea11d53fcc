package dev.perimeter.tunnel.relay;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;
import org.springframework.stereotype.Component;

/** Puts the agents' WebSocket endpoint, which no controller serves, into {@code /v3/api-docs}. */
@Component
class ConnectEndpointDocumentation implements GlobalOpenApiCustomizer {

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
    }
}
