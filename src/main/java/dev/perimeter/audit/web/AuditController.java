package dev.perimeter.audit.web;

import dev.perimeter.audit.AuditTrail;
import dev.perimeter.audit.AuditTrail.AuditFilter;
import dev.perimeter.audit.AuditTrail.AuditRecord;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Instant;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit trail for admins, newest first: {@code GET /v1/audit?tenantId&action&since&limit&cursor}. */
@RestController
class AuditController {

    private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9-]{3,63}");
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

    private final AuditTrail trail;

    AuditController(AuditTrail trail) {
        this.trail = trail;
    }

    @GetMapping("/v1/audit")
    Page<AuditRecord> list(
            @RequestParam(required = false) @Nullable String tenantId,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable Instant since,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        if (tenantId != null && !TENANT_ID.matcher(tenantId).matches()) {
            throw new ValidationFailedException("tenantId", "must match [a-z0-9-]{3,63}");
        }
        if (action != null && !ACTION.matcher(action).matches()) {
            throw new ValidationFailedException("action", "must look like 'sandbox.create'");
        }
        return trail.find(new AuditFilter(tenantId, action, since), Cursor.decodeOrStart(cursor), Cursor.limit(limit));
    }
}
