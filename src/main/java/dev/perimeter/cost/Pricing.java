package dev.perimeter.cost;

import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The price list: seeded from vendors' published list prices, changed by admins. */
@Service
public class Pricing {

    private final Prices prices;
    private final Clock clock;

    Pricing(Prices prices, Clock clock) {
        this.prices = prices;
        this.clock = clock;
    }

    /** The provider's rates; a provider without a price row costs nothing. */
    @Transactional(readOnly = true)
    public Rates ratesOf(String provider) {
        return prices.findById(provider).map(Price::getRates).orElse(Rates.FREE);
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
