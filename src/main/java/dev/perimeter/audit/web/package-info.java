/** The admin's read of the audit trail: {@code GET /v1/audit}. */
@NullMarked
package dev.perimeter.audit.web;

import org.jspecify.annotations.NullMarked;
