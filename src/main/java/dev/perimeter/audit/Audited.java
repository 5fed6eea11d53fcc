package dev.perimeter.audit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method whose every call, allowed or refused, is written to the audit trail once the response is
 * decided. The target is the call's resource id from the path unless the method names it with
 * {@link AuditTarget#set}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Audited {

    /** The action, {@code <resource>.<verb>} such as {@code sandbox.create}. */
    String value();
}
