/**
 * The {@code modal} provider: Modal's gRPC control plane ({@code modal.client.ModalClient}) for sandboxes and
 * snapshots, and the task command router ({@code modal.task_command_router.TaskCommandRouter}) for commands and files,
 * called in the order Modal's own SDKs use. Stubs are generated from the minimal protos in {@code src/main/proto}.
 */
@NullMarked
package dev.perimeter.provider.modal;

import org.jspecify.annotations.NullMarked;
