package dev.perimeter.web;

import dev.perimeter.tenant.TenantContext;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The live OpenAPI document at {@code /v3/api-docs} and Swagger UI at {@code /swagger-ui.html}, both public: they
 * describe the contract, not anyone's data. Every operation takes a bearer API key and documents its problems.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String SECURITY_SCHEME = "apiKey";

    static {
        // The tenant is the caller's key's (TenantContextArgumentResolver), not a request parameter to document.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(TenantContext.class);
    }

    @Bean
    OpenAPI perimeterOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Perimeter API")
                        .version("v1")
                        .description("Sandboxes, tenants, quotas and budgets of a self-hosted Perimeter. Errors are"
                                + " RFC 9457 problems whose type is https://perimeter.dev/problems/<slug>; every"
                                + " response carries X-Correlation-Id."))
                .components(new Components()
                        .addSecuritySchemes(
                                SECURITY_SCHEME,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("An admin or tenant API key, sent as 'Authorization: Bearer"
                                                + " <key>'. Admin keys manage tenants, keys, pricing and audit;"
                                                + " tenant keys drive sandboxes and snapshots.")))
                .addSecurityItem(new SecurityRequirement().addList(SECURITY_SCHEME));
    }

    @Bean
    ProblemResponses problemResponses() {
        return new ProblemResponses();
    }
}
