package dev.perimeter.audit;

import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Lets an {@link Audited} controller method name what it acted on when the path does not, such as the id of the
 * resource a create made.
 */
public final class AuditTarget {

    /** Request attribute holding the target id. */
    public static final String TARGET_ATTRIBUTE = AuditTarget.class.getName() + ".target";

    /** Request attribute holding the tenant id. */
    public static final String TENANT_ATTRIBUTE = AuditTarget.class.getName() + ".tenant";

    private AuditTarget() {}

    /** Names the resource this request acted on. */
    public static void set(String targetId) {
        put(TARGET_ATTRIBUTE, targetId);
    }

    /** Names the resource this request acted on and the tenant it belongs to (for admin calls without one in the path). */
    public static void set(String targetId, String tenantId) {
        put(TARGET_ATTRIBUTE, targetId);
        put(TENANT_ATTRIBUTE, tenantId);
    }

    private static void put(String name, @Nullable String value) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes != null && value != null) {
            attributes.setAttribute(name, value, RequestAttributes.SCOPE_REQUEST);
        }
    }
}
