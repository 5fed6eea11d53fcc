package dev.perimeter.tenant.web;

import dev.perimeter.shared.Money;
import dev.perimeter.tenant.Budget;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A tenant's budget as the API writes it. {@code limitUsd} is a decimal string or number in USD. */
record BudgetBody(
        @NotNull @DecimalMin("0") @Digits(integer = 14, fraction = 6) @Nullable BigDecimal limitUsd,
        @NotNull Budget.@Nullable Period period,
        @NotNull Budget.@Nullable OnExhausted onExhausted) {

    Budget toBudget() {
        return new Budget(
                Objects.requireNonNull(limitUsd), Objects.requireNonNull(period), Objects.requireNonNull(onExhausted));
    }

    /** A budget as the API shows it: money as a decimal string. */
    record View(String limitUsd, Budget.Period period, Budget.OnExhausted onExhausted) {

        static @Nullable View of(@Nullable Budget budget) {
            return budget == null
                    ? null
                    : new View(Money.format(budget.limitUsd()), budget.period(), budget.onExhausted());
        }
    }
}
