package dev.perimeter.web;

import dev.perimeter.audit.AuditTrail;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Registers the edge's argument resolvers and its interceptors (logging context, audit) with Spring MVC. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final AuditTrail auditTrail;

    WebConfiguration(AuditTrail auditTrail) {
        this.auditTrail = auditTrail;
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
