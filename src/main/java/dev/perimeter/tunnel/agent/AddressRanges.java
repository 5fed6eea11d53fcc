package dev.perimeter.tunnel.agent;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address ranges an agent may forward to, as CIDR blocks. The default is loopback and the private ranges, so a
 * tunnel cannot be turned into a hop towards the public internet or cloud metadata endpoints (link-local is not in
 * it).
 */
final class AddressRanges {

    static final String DEFAULT = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

    private record Block(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = network.length * 8;
            BigInteger mask = BigInteger.ONE
                    .shiftLeft(bits)
                    .subtract(BigInteger.ONE)
                    .shiftRight(prefix)
                    .not();
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    private final List<Block> blocks;
    private final String text;

    private AddressRanges(List<Block> blocks, String text) {
        this.blocks = blocks;
        this.text = text;
    }

    /** Parses {@code a.b.c.d/n,…}; a malformed block is an {@link IllegalArgumentException}. */
    static AddressRanges parse(String cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String cidr : cidrs.split(",")) {
            String block = cidr.strip();
            if (block.isEmpty()) {
                continue;
            }
            int slash = block.indexOf('/');
            String host = slash < 0 ? block : block.substring(0, slash);
            if (!host.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("Not an address range: " + block);
            }
            byte[] network;
            try {
                network = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("Not an address range: " + block, e);
            }
            int prefix = slash < 0 ? network.length * 8 : Integer.parseInt(block.substring(slash + 1));
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("Not an address range: " + block);
            }
            blocks.add(new Block(network, prefix));
        }
        return new AddressRanges(blocks, cidrs);
    }

    boolean allows(InetAddress address) {
        byte[] bytes = address.getAddress();
        return blocks.stream().anyMatch(block -> block.contains(bytes));
    }

    @Override
    public String toString() {
        return text;
    }
}
