package dev.perimeter.tunnel.agent;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The upstream connections' name resolution: every connection the agent opens to the private MCP server resolves its
 * host here, and an address outside the allowed ranges refuses the connection. The check is made on the very
 * addresses the agent connects to, once per new connection, so a name that is later pointed elsewhere cannot turn the
 * agent into an SSRF hop. Like Netty's default resolver it asks the operating system, on the connection's event loop.
 */
final class RangeCheckingResolver extends AddressResolverGroup<InetSocketAddress> {

    private final AddressRanges allowed;

    RangeCheckingResolver(AddressRanges allowed) {
        this.allowed = allowed;
    }

    /** Every address {@code host} resolves to now, or a {@link RefusedAddressException} if one is outside the ranges. */
    InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress address : addresses) {
            if (!allowed.allows(address)) {
                throw new RefusedAddressException("the upstream " + host + " resolves to " + address.getHostAddress()
                        + ", outside the allowed ranges " + allowed);
            }
        }
        return addresses;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                try {
                    promise.setSuccess(RangeCheckingResolver.this.resolve(host)[0]);
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                try {
                    promise.setSuccess(Arrays.asList(RangeCheckingResolver.this.resolve(host)));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }
        }.asAddressResolver();
    }

    /** An upstream address outside the allowed ranges; the message says which and why. */
    static final class RefusedAddressException extends UnknownHostException {

        RefusedAddressException(String reason) {
            super(reason);
        }
    }
}
