/** Pricing (admin) and usage (admin and tenant) endpoints. */
@NullMarked
package dev.perimeter.cost.web;

import org.jspecify.annotations.NullMarked;
