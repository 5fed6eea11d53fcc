/** Scheduling and the leader lock every background job takes (ShedLock on Postgres). */
@NullMarked
package dev.perimeter.jobs;

import org.jspecify.annotations.NullMarked;
