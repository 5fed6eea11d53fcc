/** HTTP endpoints of the tenant module: tenants and their keys, for admins. */
@NullMarked
package dev.perimeter.tenant.web;

import org.jspecify.annotations.NullMarked;
