/** JPA converters shared by the modules' entities. */
@NullMarked
package dev.perimeter.shared.jpa;

import org.jspecify.annotations.NullMarked;
