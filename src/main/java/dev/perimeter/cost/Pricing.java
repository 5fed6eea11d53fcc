package dev.perimeter.cost;

import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The price list: seeded from vendors' published list prices, changed by admins. */
@Service
public class Pricing {

    private final Prices prices;
    private final JdbcClient jdbc;
    private final Clock clock;

    Pricing(Prices prices, JdbcClient jdbc, Clock clock) {
        this.prices = prices;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * The provider's rates; a provider without a price row costs nothing. One statement on every create, so plain
     * JDBC outside a transaction: one round trip.
     */
    public Rates ratesOf(String provider) {
        return jdbc.sql(
                        """
                        select vcpu_second_usd, memory_gib_second_usd, gpu_second_usd, per_create_usd,
                               snapshot_gb_month_usd
                        from prices where provider = ?""")
                .param(provider)
                .query((rs, row) -> new Rates(
                        rs.getBigDecimal(1),
                        rs.getBigDecimal(2),
                        rs.getBigDecimal(3),
                        rs.getBigDecimal(4),
                        rs.getBigDecimal(5)))
                .optional()
                .orElse(Rates.FREE);
    }

    /** Every priced provider. */
    @Transactional(readOnly = true)
    public List<Price> list() {
        return prices.findAllByOrderByProvider();
    }

    /** Sets a provider's prices; they apply from the next metered second and the next create's estimate. */
    @Transactional
    public Price set(String provider, Rates rates, @Nullable String source) {
        Price price = prices.findById(provider).orElseGet(() -> new Price(provider));
        price.set(rates, source, clock.instant());
        return prices.save(price);
    }
}
