package dev.perimeter.shared;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a request body's text field that may hold U+0000 (NUL), such as an exec's {@code stdin}. Every other string in
 * a request body is refused with {@code validation-failed} if it holds one, because PostgreSQL's {@code text} cannot
 * store it and a process argument cannot carry it. Unpaired surrogates are refused everywhere.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface NulAllowed {}
