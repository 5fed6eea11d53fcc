package dev.perimeter.shared;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** USD amounts as the API writes them: a plain decimal string with at least two and at most six decimals. */
public final class Money {

    private Money() {}

    public static String format(BigDecimal amount) {
        BigDecimal scaled = amount.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return scaled.scale() < 2
                ? scaled.setScale(2, RoundingMode.UNNECESSARY).toPlainString()
                : scaled.toPlainString();
    }
}
