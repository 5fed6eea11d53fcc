/**
 * The Claude Managed Agents connector: Perimeter as the customer side of a self-hosted environment's work queue. Each
 * bound environment is polled by one replica at a time; each work item becomes one sandbox, admitted through the
 * tenant's quota and budget, running Anthropic's environment worker.
 */
@NullMarked
package dev.perimeter.connector.anthropic;

import org.jspecify.annotations.NullMarked;
