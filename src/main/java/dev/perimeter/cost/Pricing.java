package dev.perimeter.cost;

import dev.perimeter.database.InvalidatingCache;
import dev.perimeter.database.Invalidations;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The price list: seeded from vendors' published list prices, changed by admins. */
@Service
public class Pricing {

    /** The {@link Invalidations} topic of the price list; the key is the provider. */
    static final String TOPIC = "price";

    private final Prices prices;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final Invalidations invalidations;
    private final InvalidatingCache<Rates> ratesByProvider;

    Pricing(Prices prices, JdbcClient jdbc, Clock clock, Invalidations invalidations) {
        this.prices = prices;
        this.jdbc = jdbc;
        this.clock = clock;
        this.invalidations = invalidations;
        this.ratesByProvider = invalidations.cache(TOPIC, 1_000);
    }

    /**
     * The provider's rates; a provider without a price row costs nothing. Read on every create, so kept in an {@link
     * InvalidatingCache} that {@link #set} empties on every replica.
     */
    public Rates ratesOf(String provider) {
        return ratesByProvider.get(provider, this::read).orElseThrow();
    }

    private Optional<Rates> read(String provider) {
        return Optional.of(jdbc.sql(
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
                .orElse(Rates.FREE));
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
        invalidations.publish(TOPIC, provider);
        return prices.save(price);
    }
}
