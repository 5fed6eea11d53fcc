/** The connector's admin endpoints and its webhook receiver. */
@NullMarked
package dev.perimeter.connector.anthropic.web;

import org.jspecify.annotations.NullMarked;
