package io.procmon.examples;

import io.procmon.bpf.BpfEventSource;
import io.procmon.core.Monitor;
import io.procmon.kafka.KafkaSink;
import io.procmon.metrics.MetricsServer;
import io.procmon.metrics.ProcmonMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code --metrics [HOST:]PORT}: where the Prometheus endpoint listens, and starting it. */
final class MetricsEndpoint {
    private MetricsEndpoint() {
    }

    /**
     * {@code PORT} (on loopback), {@code HOST:PORT} or {@code [IPv6]:PORT}; port 0 takes any free one.
     *
     * @throws IllegalArgumentException with a one-line message for the user
     */
    static InetSocketAddress parse(String text) {
        String host = "127.0.0.1";
        String port = text;
        int colon = text.lastIndexOf(':');
        if (colon >= 0) {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("--metrics: write an IPv6 address in brackets, as [::1]:PORT, got '" + text + "'");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("--metrics: no host before ':' in '" + text + "' (give PORT alone for loopback)");
            }
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65_535) {
            throw new IllegalArgumentException("--metrics takes [HOST:]PORT with a port from 0 to 65535, got '" + text + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--metrics: unknown host '" + host + "'");
        }
    }

    /**
     * Serves the monitor's metrics (and the kernel table's and Kafka's, each when given) at {@code address}.
     *
     * @throws IOException when the address cannot be bound
     */
    static MetricsServer start(InetSocketAddress address, Monitor monitor, BpfEventSource source, KafkaSink kafka) throws IOException {
        ProcmonMetrics.Builder metrics = ProcmonMetrics.builder(monitor).version(ProcmonCli.Version.number());
        if (source != null) {
            metrics.kernel(source);
        }
        if (kafka != null) {
            metrics.kafka(kafka);
        }
        return MetricsServer.start(address, metrics.build());
    }

    /** The URL of the metrics at the bound address, for the start message. */
    /** The address as --metrics takes it: HOST:PORT, an IPv6 host in brackets. */
    static String describe(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    static String url(MetricsServer server) {
        InetSocketAddress a = server.address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
    }
}
