package dev.perimeter.tunnel.agent;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** TLS for the agent's outbound connections: the JDK's provider and trusted CAs, and the host name checked. */
final class ClientTls {

    private ClientTls() {}

    static SslContext jdkTrusted() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("The JDK's TLS client could not be set up", e);
        }
    }
}
