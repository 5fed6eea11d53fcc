/**
 * The audit trail: an append-only record of every admin change, lifecycle call and tunnel or connector event, with the
 * actor's key id, tenant, action, target, outcome and correlation id, and never a secret. Controllers mark audited
 * calls with {@link dev.perimeter.audit.Audited}; the web edge records them. Other events go through
 * {@link dev.perimeter.audit.AuditTrail#record}.
 */
@NullMarked
package dev.perimeter.audit;

import org.jspecify.annotations.NullMarked;
