package dev.perimeter.sandbox;

import java.time.Instant;

/**
 * The record of one command run in a sandbox: which program, how many arguments, a SHA-256 of the whole argv (so a
 * command can be proven without storing arguments that may hold secrets). How it ended is added by {@link
 * Execs#recordEnd}.
 *
 * @param id the {@code exec_…} id
 * @param sandboxId the sandbox it ran in
 * @param tenantId the sandbox's tenant
 * @param program the first argument, at most 256 characters
 * @param argumentCount the length of the argv
 * @param commandSha256 SHA-256 over the arguments, each followed by a NUL byte
 * @param correlationId the request's correlation id
 * @param startedAt when it was recorded, just before the provider call
 */
record Exec(
        String id,
        String sandboxId,
        String tenantId,
        String program,
        int argumentCount,
        String commandSha256,
        String correlationId,
        Instant startedAt) {}
