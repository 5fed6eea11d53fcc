package dev.perimeter.cost.web;

import dev.perimeter.audit.Audited;
import dev.perimeter.cost.Price;
import dev.perimeter.cost.Pricing;
import dev.perimeter.cost.Rates;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Admin endpoints for the price list. Prices are decimal strings in USD, like every amount in the API. */
@RestController
@RequestMapping("/v1/pricing")
class PricingController {

    private final Pricing pricing;

    PricingController(Pricing pricing) {
        this.pricing = pricing;
    }

    @GetMapping
    PriceList list() {
        return new PriceList(pricing.list().stream().map(PriceResponse::of).toList());
    }

    @Audited("pricing.set")
    @PutMapping("/{provider}")
    PriceResponse set(
            @PathVariable @Pattern(regexp = "[a-z0-9-]{1,32}", message = "must be a provider name") String provider,
            @Valid @RequestBody PriceRequest request) {
        return PriceResponse.of(pricing.set(provider, request.toRates(), request.source()));
    }

    /** The price list. */
    record PriceList(List<PriceResponse> items) {}

    /** Body of {@code PUT /v1/pricing/{provider}}: every price, each ≥ 0 and at most $1,000. */
    record PriceRequest(
            @NotNull @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 12) @Nullable
                    BigDecimal vcpuSecondUsd,
            @NotNull @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 12) @Nullable
                    BigDecimal memoryGibSecondUsd,
            @NotNull @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 12) @Nullable
                    BigDecimal gpuSecondUsd,
            @NotNull @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 12) @Nullable
                    BigDecimal perCreateUsd,
            @NotNull @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 12) @Nullable
                    BigDecimal snapshotGbMonthUsd,
            @Size(max = 512) @Nullable String source) {

        Rates toRates() {
            return new Rates(
                    Objects.requireNonNull(vcpuSecondUsd),
                    Objects.requireNonNull(memoryGibSecondUsd),
                    Objects.requireNonNull(gpuSecondUsd),
                    Objects.requireNonNull(perCreateUsd),
                    Objects.requireNonNull(snapshotGbMonthUsd));
        }
    }

    /** A provider's prices as the API shows them. */
    record PriceResponse(
            String provider,
            String vcpuSecondUsd,
            String memoryGibSecondUsd,
            String gpuSecondUsd,
            String perCreateUsd,
            String snapshotGbMonthUsd,
            @Nullable String source,
            Instant updatedAt) {

        static PriceResponse of(Price price) {
            Rates rates = price.getRates();
            return new PriceResponse(
                    price.getProvider(),
                    plain(rates.vcpuSecondUsd()),
                    plain(rates.memoryGibSecondUsd()),
                    plain(rates.gpuSecondUsd()),
                    plain(rates.perCreateUsd()),
                    plain(rates.snapshotGbMonthUsd()),
                    price.getSource(),
                    price.getUpdatedAt());
        }

        private static String plain(BigDecimal amount) {
            BigDecimal stripped = amount.stripTrailingZeros();
            return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
        }
    }
}
