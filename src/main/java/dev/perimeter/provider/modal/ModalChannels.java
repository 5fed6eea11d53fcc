package dev.perimeter.provider.modal;

import io.grpc.ManagedChannel;
import java.net.URI;

/**
 * Opens gRPC channels to Modal: the control plane at {@code MODAL_SERVER_URL}, and each task command router at the URL
 * the control plane hands out. The default speaks HTTP/2 over Netty ({@code https} with TLS, {@code http} without); a
 * deployment or a test may declare its own bean of this type (for example an in-process transport).
 */
public interface ModalChannels {

    /** A new channel to {@code target}; the caller shuts it down. */
    ManagedChannel open(URI target);
}
