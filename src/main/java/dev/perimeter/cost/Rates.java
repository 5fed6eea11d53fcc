package dev.perimeter.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One provider's prices in USD.
 *
 * @param vcpuSecondUsd per vCPU-second
 * @param memoryGibSecondUsd per GiB-second of memory
 * @param gpuSecondUsd per GPU-second
 * @param perCreateUsd per sandbox created
 * @param snapshotGbMonthUsd per GB-month of snapshot storage
 */
public record Rates(
        BigDecimal vcpuSecondUsd,
        BigDecimal memoryGibSecondUsd,
        BigDecimal gpuSecondUsd,
        BigDecimal perCreateUsd,
        BigDecimal snapshotGbMonthUsd) {

    /** Everything free: a provider nobody priced. */
    public static final Rates FREE =
            new Rates(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

    /** Amounts are kept to ten decimals, the ledger's scale. */
    public static final int SCALE = 10;

    /** Seconds in the month that GB-month prices mean: 730 hours, the cloud providers' convention. */
    public static final BigDecimal SECONDS_PER_MONTH = BigDecimal.valueOf(730L * 3600);

    private static final BigDecimal MIB_PER_GIB = BigDecimal.valueOf(1024);
    private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);

    /** What a sandbox of that size costs per second. */
    public BigDecimal perSecond(int vcpus, int memoryMib, @Nullable String gpu) {
        BigDecimal memoryGib = BigDecimal.valueOf(memoryMib).divide(MIB_PER_GIB, MathContext.DECIMAL64);
        BigDecimal rate = vcpuSecondUsd.multiply(BigDecimal.valueOf(vcpus)).add(memoryGibSecondUsd.multiply(memoryGib));
        return gpu == null ? rate : rate.add(gpuSecondUsd);
    }

    /** The most a create can cost if it runs for its whole lifetime: the create fee plus every second. */
    public BigDecimal estimate(int vcpus, int memoryMib, @Nullable String gpu, Duration lifetime) {
        return round(perCreateUsd.add(perSecond(vcpus, memoryMib, gpu).multiply(seconds(lifetime))));
    }

    /** What storing that many bytes costs for that long. */
    public BigDecimal storage(long sizeBytes, Duration duration) {
        return round(snapshotGbMonthUsd
                .multiply(BigDecimal.valueOf(sizeBytes).divide(BYTES_PER_GB, MathContext.DECIMAL64))
                .multiply(seconds(duration))
                .divide(SECONDS_PER_MONTH, MathContext.DECIMAL64));
    }

    /** Seconds, to the microsecond. */
    public static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toNanos() / 1000, 6);
    }

    /** An amount at the ledger's scale. */
    public static BigDecimal round(BigDecimal amount) {
        return amount.setScale(SCALE, RoundingMode.HALF_UP);
    }
}
