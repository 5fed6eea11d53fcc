/**
 * The provider SPI: {@link dev.perimeter.provider.SandboxProvider}, its request and result records, capability flags
 * and the {@link dev.perimeter.provider.ProviderRegistry} that resolves a provider by name.
 */
@NullMarked
package dev.perimeter.provider;

import org.jspecify.annotations.NullMarked;
