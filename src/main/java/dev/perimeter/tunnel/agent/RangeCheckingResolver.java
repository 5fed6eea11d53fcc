package dev.perimeter.tunnel.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The upstream client's name resolution: every connection it opens resolves the host here, and an address outside
 * the allowed ranges refuses the connection. The check is made on the very addresses the client connects to, once per
 * new connection, so a name that is later pointed elsewhere cannot turn the agent into an SSRF hop.
 */
final class RangeCheckingResolver implements DnsResolver {

    private final AddressRanges allowed;

    RangeCheckingResolver(AddressRanges allowed) {
        this.allowed = allowed;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
        for (InetAddress address : addresses) {
            if (!allowed.allows(address)) {
                throw new RefusedAddressException("the upstream " + host + " resolves to " + address.getHostAddress()
                        + ", outside the allowed ranges " + allowed);
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
    }

    /** An upstream address outside the allowed ranges; the message says which and why. */
    static final class RefusedAddressException extends UnknownHostException {

        RefusedAddressException(String reason) {
            super(reason);
        }
    }
}
