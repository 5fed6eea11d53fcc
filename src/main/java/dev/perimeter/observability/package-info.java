/** How Perimeter reports on itself: the format of its logs. */
@NullMarked
package dev.perimeter.observability;

import org.jspecify.annotations.NullMarked;
