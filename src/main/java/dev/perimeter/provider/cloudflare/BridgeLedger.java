package dev.perimeter.provider.cloudflare;

import java.util.List;

/**
 * The bridge sandboxes this provider has asked for and not yet destroyed. The bridge has no list endpoint, and any call
 * on a sandbox name binds a fresh container to it, so without this record Perimeter could neither find orphans nor
 * tell a destroyed sandbox from a live one. Shared by every replica (it lives in Postgres).
 */
interface BridgeLedger {

    /** One bridge sandbox and the Perimeter sandbox it belongs to. */
    record Entry(String bridgeId, String sandboxId) {}

    /** Records the intent to use {@code bridgeId} for {@code sandboxId}, before the bridge is first called. */
    void record(String bridgeId, String sandboxId);

    boolean contains(String bridgeId);

    /** Forgets a bridge sandbox once the bridge has destroyed it. */
    void remove(String bridgeId);

    List<Entry> all();
}
