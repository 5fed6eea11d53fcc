/**
 * The HTTP edge: correlation ids, API-key authentication and roles, the tenant context handed to controllers, body
 * limits, and the RFC 9457 problem handler.
 */
@NullMarked
package dev.perimeter.web;

import org.jspecify.annotations.NullMarked;
