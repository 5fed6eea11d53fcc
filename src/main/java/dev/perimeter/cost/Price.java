package dev.perimeter.cost;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A provider's row in the price list. */
@Entity
@Table(name = "prices")
public class Price {

    @Id
    private String provider = "";

    private BigDecimal vcpuSecondUsd = BigDecimal.ZERO;

    private BigDecimal memoryGibSecondUsd = BigDecimal.ZERO;

    private BigDecimal gpuSecondUsd = BigDecimal.ZERO;

    private BigDecimal perCreateUsd = BigDecimal.ZERO;

    private BigDecimal snapshotGbMonthUsd = BigDecimal.ZERO;

    private @Nullable String source;

    private Instant updatedAt = Instant.EPOCH;

    protected Price() {}

    Price(String provider) {
        this.provider = provider;
    }

    public String getProvider() {
        return provider;
    }

    public Rates getRates() {
        return new Rates(vcpuSecondUsd, memoryGibSecondUsd, gpuSecondUsd, perCreateUsd, snapshotGbMonthUsd);
    }

    /** Where the price comes from: a vendor's price page, or who set it. */
    public @Nullable String getSource() {
        return source;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    void set(Rates rates, @Nullable String source, Instant now) {
        this.vcpuSecondUsd = rates.vcpuSecondUsd();
        this.memoryGibSecondUsd = rates.memoryGibSecondUsd();
        this.gpuSecondUsd = rates.gpuSecondUsd();
        this.perCreateUsd = rates.perCreateUsd();
        this.snapshotGbMonthUsd = rates.snapshotGbMonthUsd();
        this.source = source;
        this.updatedAt = now;
    }
}
