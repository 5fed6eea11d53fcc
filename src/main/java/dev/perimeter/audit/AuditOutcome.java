package dev.perimeter.audit;

/** How an audited action ended. */
public enum AuditOutcome {
    /** It was done. */
    SUCCESS,
    /** The caller may not do it, or its tenant's quota or budget refused it (401, 402, 403, 429). */
    DENIED,
    /** The request itself was wrong: invalid, unknown target or conflicting (other 4xx). */
    REJECTED,
    /** Perimeter or a provider failed (5xx). */
    FAILED;

    /** The outcome an HTTP status stands for. */
    public static AuditOutcome ofStatus(int status) {
        if (status < 400) {
            return SUCCESS;
        }
        if (status == 401 || status == 402 || status == 403 || status == 429) {
            return DENIED;
        }
        return status < 500 ? REJECTED : FAILED;
    }
}
