package dev.perimeter.tunnel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The agent's pieces that need no network: backoff, address ranges and settings. */
class AgentUnitTests {

    @Test
    void backoffIsFullJitterUnderAGrowingCapAndStartsOverAfterAStableConnection() {
        Backoff backoff =
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30), new Random(1));
        long[] caps = {1000, 2000, 4000, 8000, 8000, 8000};
        for (long cap : caps) {
            long wait = backoff.next().toMillis();
            assertThat(wait).isBetween(0L, cap);
        }
        backoff.connectedFor(Duration.ofSeconds(5));
        assertThat(backoff.attempt())
                .as("a short connection keeps the exponent")
                .isEqualTo(6);
        backoff.connectedFor(Duration.ofSeconds(30));
        assertThat(backoff.attempt()).isZero();
        assertThat(backoff.next().toMillis()).isBetween(0L, 1000L);
    }

    @Test
    void backoffWaitsSpreadOverTheWholeWindow() {
        Random random = new Random(42);
        List<Long> firsts = java.util.stream.IntStream.range(0, 1000)
                .mapToObj(
                        i -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30), random)
                                .next()
                                .toMillis())
                .toList();
        assertThat(firsts.stream().mapToLong(Long::longValue).min().orElseThrow())
                .isLessThan(50);
        assertThat(firsts.stream().mapToLong(Long::longValue).max().orElseThrow())
                .isGreaterThan(950);
        assertThat(firsts.stream().distinct().count()).isGreaterThan(500);
    }

    @Test
    void defaultRangesAllowLoopbackAndPrivateAddressesOnly() throws Exception {
        AddressRanges ranges = AddressRanges.parse(AddressRanges.DEFAULT);
        for (String allowed :
                List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "::1", "fd00::1")) {
            assertThat(ranges.allows(InetAddress.getByName(allowed)))
                    .as(allowed)
                    .isTrue();
        }
        for (String refused : List.of(
                "169.254.169.254",
                "8.8.8.8",
                "172.32.0.1",
                "0.0.0.0",
                "100.64.0.1",
                "2001:4860:4860::8888",
                "fe80::1")) {
            assertThat(ranges.allows(InetAddress.getByName(refused)))
                    .as(refused)
                    .isFalse();
        }
        assertThat(new RangeCheckingResolver(ranges).resolve("localhost")).isNotEmpty();
    }

    @Test
    void malformedRangesAreRefused() {
        for (String bad : List.of("10.0.0.0/33", "example.com/8", "10.0.0.0/x", "::1/129")) {
            assertThatThrownBy(() -> AddressRanges.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anUpstreamOutsideTheRangesIsRefusedBeforeAnythingIsDialled() {
        AgentSettings metadata = AgentSettings.of(
                URI.create("ws://127.0.0.1:9/v1/tunnels/tnl_x/connect"),
                "pmt_token",
                URI.create("http://169.254.169.254/latest/meta-data"));
        assertThatThrownBy(() -> TunnelAgent.start(metadata))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the allowed ranges");
    }

    @Test
    void settingsComeFromFlagsThenTheEnvironment() {
        Map<String, String> env = Map.of(
                "MCP_TUNNEL_URL", "wss://perimeter.example/v1/tunnels/tnl_a/connect",
                "MCP_TUNNEL_TOKEN", "pmt_from_env",
                "MCP_UPSTREAM_URL", "http://10.0.0.5:3000/mcp");
        AgentSettings settings = AgentSettings.from(new String[] {"--connections=3", "--backoff-max=PT20S"}, env);
        assertThat(settings.tunnelUrl()).hasToString("wss://perimeter.example/v1/tunnels/tnl_a/connect");
        assertThat(settings.connections()).isEqualTo(3);
        assertThat(settings.backoffMax()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.toString()).doesNotContain("pmt_from_env");
        assertThat(AgentSettings.from(new String[] {"--token=pmt_flag"}, env).token())
                .isEqualTo("pmt_flag");
        assertThat(AgentSettings.from(new String[0], env).connections()).isEqualTo(2);
        assertThat(AgentSettings.from(new String[0], env).carrierThreads()).isEqualTo(1);
        assertThat(AgentSettings.from(new String[] {"--carrier-threads=4"}, env).carrierThreads())
                .isEqualTo(4);
        Map<String, String> withCarriers = new java.util.HashMap<>(env);
        withCarriers.put("MCP_TUNNEL_CARRIER_THREADS", "2");
        assertThat(AgentSettings.from(new String[0], withCarriers).carrierThreads())
                .isEqualTo(2);

        assertThatThrownBy(() -> AgentSettings.from(new String[0], Map.of())).hasMessageContaining("MCP_TUNNEL_URL");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"--url=http://x/connect"}, env))
                .hasMessageContaining("ws://");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"--connections=0"}, env))
                .hasMessageContaining("connections");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"--connections=two"}, env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connections must be a whole number");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"--carrier-threads=257"}, env))
                .hasMessageContaining("carrier threads");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"--backoff-max=20s"}, env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--backoff-max must be an ISO-8601 duration");
        assertThatThrownBy(() -> AgentSettings.from(new String[] {"stray"}, env))
                .hasMessageContaining("--name=value");
    }

    @Test
    void theUpstreamConnectionsConnectOnlyInsideTheAllowedRanges() throws Exception {
        Upstream upstream = new Upstream(URI.create("http://127.0.0.1:1/mcp"), AddressRanges.parse("10.0.0.0/8"));
        io.netty.channel.EventLoopGroup loops =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            io.netty.util.concurrent.Future<io.netty.channel.Channel> connected = upstream.pool(
                            loops.next(), new UpstreamCall.Reader())
                    .acquire()
                    .await();
            assertThat(connected.cause())
                    .isInstanceOf(RangeCheckingResolver.RefusedAddressException.class)
                    .hasMessageContaining("127.0.0.1")
                    .hasMessageContaining("10.0.0.0/8");
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void theUpstreamUrlKeepsItsQuery() {
        Upstream upstream = new Upstream(URI.create("http://127.0.0.1:1/mcp?x=1"), AddressRanges.parse("127.0.0.0/8"));
        assertThat(upstream.target("")).isEqualTo("/mcp?x=1");
        assertThat(upstream.target("?y=2")).isEqualTo("/mcp?x=1&y=2");
        assertThat(new Upstream(URI.create("http://127.0.0.1:1"), AddressRanges.parse("127.0.0.0/8")).target(""))
                .isEqualTo("/");
        assertThat(upstream.host()).isEqualTo("127.0.0.1:1");
        assertThat(new Upstream(URI.create("http://user:pw@127.0.0.1:1/mcp"), AddressRanges.parse("127.0.0.0/8"))
                        .host())
                .as("user information never reaches the Host header")
                .isEqualTo("127.0.0.1:1");
    }

    @Test
    void theConnectionBatchesOnlyWhenPerimeterChoseTheSubprotocol() {
        Upstream upstream = new Upstream(URI.create("http://127.0.0.1:1/mcp"), AddressRanges.parse("127.0.0.0/8"));
        for (String chosen : new String[] {dev.perimeter.tunnel.TunnelFrame.BATCHING_PROTOCOL, null, "other"}) {
            AgentConnection connection = new AgentConnection(upstream);
            var channel = new io.netty.channel.embedded.EmbeddedChannel(new TunnelDialer.SubprotocolChoice(connection));
            var upgrade = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.SWITCHING_PROTOCOLS);
            if (chosen != null) {
                upgrade.headers().set("Sec-WebSocket-Protocol", chosen);
            }
            channel.writeInbound(upgrade);
            io.netty.handler.codec.http.FullHttpResponse passed = channel.readInbound();
            assertThat(connection.batching())
                    .as(chosen)
                    .isEqualTo(chosen == dev.perimeter.tunnel.TunnelFrame.BATCHING_PROTOCOL);
            assertThat(passed.headers().get("Sec-WebSocket-Protocol"))
                    .as("what the handshaker checks")
                    .isEqualTo("other".equals(chosen) ? "other" : null);
            passed.release();
            channel.finishAndReleaseAll();
        }
    }
}
