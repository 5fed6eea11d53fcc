/**
 * The {@code kubernetes} provider: one Pod per sandbox in a namespace of the team's own cluster, through the fabric8
 * client. Each Pod is labelled with our sandbox id and tenant and fenced by a NetworkPolicy of the same name; commands,
 * files and snapshots go through the {@code pods/exec} API, and snapshots are tars of {@code /workspace} kept by
 * Perimeter. With a warm pool configured, sandboxes are instead {@code SandboxClaim}s on a kubernetes-sigs
 * agent-sandbox {@code SandboxWarmPool}, served through the same exec path once the controller has bound them.
 */
@NullMarked
package dev.perimeter.provider.kubernetes;

import org.jspecify.annotations.NullMarked;
