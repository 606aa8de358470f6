package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    @Test
    void aPortAloneListensOnLoopbackOnly() {
        InetSocketAddress a = MetricsEndpoint.parse("9469");
        assertThat(a.getAddress().isLoopbackAddress()).isTrue();
        assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(a.getPort()).isEqualTo(9469);
    }

    @Test
    void hostsAndIpv6AddressesInBrackets() {
        assertThat(MetricsEndpoint.parse("0.0.0.0:80").getAddress().isAnyLocalAddress()).isTrue();
        InetSocketAddress v6 = MetricsEndpoint.parse("[::1]:0");
        assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
        assertThat(v6.getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(v6.getPort()).isZero();
        assertThat(MetricsEndpoint.parse("127.0.0.2:65535").getPort()).isEqualTo(65535);
    }

    @Test
    void badAddressesAreOneLineErrors() {
        assertThatThrownBy(() -> MetricsEndpoint.parse("65536")).hasMessage("--metrics takes [HOST:]PORT with a port from 0 to 65535, got '65536'");
        assertThatThrownBy(() -> MetricsEndpoint.parse("-1")).hasMessageContaining("port from 0 to 65535");
        assertThatThrownBy(() -> MetricsEndpoint.parse("host:")).hasMessageContaining("port from 0 to 65535");
        assertThatThrownBy(() -> MetricsEndpoint.parse(":9469")).hasMessage("--metrics: no host before ':' in ':9469' (give PORT alone for loopback)");
        assertThatThrownBy(() -> MetricsEndpoint.parse("::1:9469")).hasMessageContaining("IPv6 address in brackets");
        assertThatThrownBy(() -> MetricsEndpoint.parse("no-such-host.invalid:1")).hasMessage("--metrics: unknown host 'no-such-host.invalid'");
        assertThatThrownBy(() -> MetricsEndpoint.parse("99999999999999999999")).hasMessageContaining("port from 0 to 65535");
    }
}
