/** Where the database comes from: an external Postgres, or the embedded default started from Maven-shipped binaries. */
@NullMarked
package dev.perimeter.database;

import org.jspecify.annotations.NullMarked;
