/**
 * What sandboxes cost: the price list per provider, the usage ledger that metering writes, each tenant's spend per
 * budget period, and the usage reports built from the ledger.
 */
@NullMarked
package dev.perimeter.cost;

import org.jspecify.annotations.NullMarked;
