package dev.perimeter.sandbox;

import dev.perimeter.provider.ExecResult;

/**
 * A finished command and the id it is recorded under.
 *
 * @param execId the {@code exec_…} id
 * @param result how it ended
 */
public record ExecOutcome(String execId, ExecResult result) {}
