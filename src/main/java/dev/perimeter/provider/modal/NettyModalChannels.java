package dev.perimeter.provider.modal;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Channels over Netty with the settings Modal's SDKs use: 100 MiB messages, a 64 MiB flow-control window, keepalive
 * pings every 30 s with a 10 s timeout.
 */
final class NettyModalChannels implements ModalChannels {

    private static final int MAX_MESSAGE = 100 * 1024 * 1024;
    private static final int WINDOW = 64 * 1024 * 1024;

    @Override
    public ManagedChannel open(URI target) {
        boolean tls =
                switch (target.getScheme() == null ? "" : target.getScheme()) {
                    case "https" -> true;
                    case "http" -> false;
                    default ->
                        throw new IllegalArgumentException(
                                "A Modal URL must start with https:// or http://, not " + target);
                };
        int port = target.getPort() > 0 ? target.getPort() : (tls ? 443 : 80);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.getHost(), port)
                .maxInboundMessageSize(MAX_MESSAGE)
                .flowControlWindow(WINDOW)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(false);
        if (tls) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }
}
