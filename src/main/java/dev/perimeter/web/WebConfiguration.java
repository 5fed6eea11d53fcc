package dev.perimeter.web;

import dev.perimeter.audit.AuditTrail;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers the edge's argument resolvers and its interceptors (logging context, audit) with Spring MVC, and reads
 * JSON bodies with the application's mapper plus the {@link RequestText} rules, refusing a fraction where a whole
 * number belongs instead of truncating it, and a field given twice instead of keeping the last (a proxy or WAF that
 * keeps the first would see another request than we do).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final AuditTrail auditTrail;
    private final JsonMapper json;

    WebConfiguration(AuditTrail auditTrail, JsonMapper json) {
        this.auditTrail = auditTrail;
        this.json = json;
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder converters) {
        converters.withJsonConverter(new JacksonJsonHttpMessageConverter(json.rebuild()
                .addModule(new RequestText())
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build()));
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new LogContextInterceptor());
        registry.addInterceptor(new AuditInterceptor(auditTrail));
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new TenantContextArgumentResolver());
    }
}
