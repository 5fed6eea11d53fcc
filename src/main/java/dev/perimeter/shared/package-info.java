/** Ids and the exception base shared by every module. */
@NullMarked
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.perimeter.shared;

import org.jspecify.annotations.NullMarked;
