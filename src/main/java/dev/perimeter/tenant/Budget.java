package dev.perimeter.tenant;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * How much a tenant may spend per period, and what happens when it has.
 *
 * @param limitUsd the most the tenant may spend in one period
 * @param period the period the limit applies to
 * @param onExhausted what Perimeter does once the spend reaches the limit
 */
public record Budget(BigDecimal limitUsd, Period period, OnExhausted onExhausted) {

    /** Budget periods. */
    public enum Period {
        /** A calendar month in UTC. */
        MONTHLY;

        /** The first day of the period that holds that instant. */
        public LocalDate startOf(Instant instant) {
            return instant.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
        }
    }

    /** What a tenant's exhausted budget does. */
    public enum OnExhausted {
        /** Refuse new sandboxes; running ones run on until they end. */
        DENY_NEW,
        /** Refuse new sandboxes and destroy the running ones ({@code endReason: BUDGET_EXHAUSTED}). */
        STOP_RUNNING
    }
}
