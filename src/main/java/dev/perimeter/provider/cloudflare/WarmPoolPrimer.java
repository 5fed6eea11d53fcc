package dev.perimeter.provider.cloudflare;

import dev.perimeter.shared.PerimeterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import tools.jackson.databind.JsonNode;

/**
 * Once the application is ready, when {@code perimeter.providers.cloudflare.prime-warm-pool} is set, asks the bridge to
 * start its warm pool ({@code POST /v1/pool/prime}) and logs what the pool holds. The pool is the bridge's, global to
 * the Worker: its size is the Worker's {@code WARM_POOL_TARGET}, and every new sandbox takes a warm container when one
 * is idle. A bridge that cannot be reached is logged, never a reason not to start.
 */
final class WarmPoolPrimer implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(WarmPoolPrimer.class);

    private final BridgeClient bridge;
    private final boolean enabled;

    WarmPoolPrimer(BridgeClient bridge, boolean enabled) {
        this.bridge = bridge;
        this.enabled = enabled;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (enabled) {
            Thread.ofVirtual().name("cloudflare-warm-pool").start(this::prime);
        }
    }

    /** Primes the pool and answers the Worker's warm target, or -1 when the bridge did not say. */
    int prime() {
        try {
            bridge.primePool();
            JsonNode stats = bridge.poolStats();
            JsonNode config = stats.get("config");
            int target = config != null && config.get("warmTarget") != null
                    ? config.get("warmTarget").asInt()
                    : -1;
            if (target == 0) {
                log.warn("The sandbox bridge's warm pool is primed but its WARM_POOL_TARGET is 0: no container is kept"
                        + " warm. Set WARM_POOL_TARGET in the Worker's wrangler.jsonc and deploy it again.");
            } else {
                log.info(
                        "Sandbox bridge warm pool primed: {} warm, {} assigned, target {}",
                        stats.path("warm").asInt(),
                        stats.path("assigned").asInt(),
                        target);
            }
            return target;
        } catch (PerimeterException e) {
            log.warn(
                    "Could not prime the sandbox bridge's warm pool: {}",
                    e.getBody().getDetail());
            return -1;
        }
    }
}
