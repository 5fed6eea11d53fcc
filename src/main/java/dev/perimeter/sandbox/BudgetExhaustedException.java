package dev.perimeter.sandbox;

import dev.perimeter.shared.Money;
import dev.perimeter.shared.PerimeterException;
import java.math.BigDecimal;
import org.springframework.http.HttpStatus;

/** The create's estimated cost, with what is spent and reserved, would pass the tenant's budget for the period. */
public class BudgetExhaustedException extends PerimeterException {

    BudgetExhaustedException(BigDecimal limitUsd, BigDecimal spentUsd, BigDecimal reservedUsd, BigDecimal estimateUsd) {
        super(
                HttpStatus.PAYMENT_REQUIRED,
                "budget-exhausted",
                "Budget exhausted",
                "This sandbox could cost up to $" + Money.format(estimateUsd) + " over its timeout; with $"
                        + Money.format(spentUsd) + " spent and $" + Money.format(reservedUsd)
                        + " reserved for running sandboxes this period, that passes the budget of $"
                        + Money.format(limitUsd));
        extend("limitUsd", Money.format(limitUsd));
        extend("spentUsd", Money.format(spentUsd));
        extend("reservedUsd", Money.format(reservedUsd));
        extend("estimateUsd", Money.format(estimateUsd));
    }
}
