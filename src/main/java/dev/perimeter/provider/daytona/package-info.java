/**
 * The {@code daytona} provider: sandboxes on Daytona's REST API ({@code POST /sandbox}, {@code DELETE
 * /sandbox/{id}}, {@code POST /sandbox/{id}/snapshot}), commands and files through each sandbox's toolbox ({@code
 * {toolboxProxyUrl}/{sandboxId}/process/execute}, {@code /files/upload}, {@code /files/download}). Every sandbox is
 * named with our sandbox id and labelled with it and its tenant, so a retried create finds what an earlier attempt
 * made and the reconciler finds orphans.
 */
@NullMarked
package dev.perimeter.provider.daytona;

import org.jspecify.annotations.NullMarked;
