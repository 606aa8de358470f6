package io.procmon.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on this machine, each as a host is to procmon: a network namespace of its own joined to a
 * bridge by a veth link (its address on 198.18.77.0/24, a range kept for such tests), a host name
 * of its own (a UTS namespace) and a machine id of its own (bind-mounted over /etc/machine-id in a
 * mount namespace of its own). The bridge's address, {@link #BROKER}, is where a broker listens; a
 * host's link can be taken down and up again. {@link #close()} removes every namespace and link.
 */
final class FleetNetwork implements AutoCloseable {
    /** The bridge's address, in this machine's own namespace. */
    static final String BROKER = "198.18.77.1";
    private static final String BRIDGE = "pmfleet0";

    private final Map<String, Integer> hosts = new LinkedHashMap<>();
    private final Path ids;

    private FleetNetwork(Path ids) {
        this.ids = ids;
    }

    /**
     * Makes the bridge and one namespace per host; {@code machineIds} gives each host its id.
     *
     * @param dir where the machine-id files are kept
     */
    static FleetNetwork create(Path dir, Map<String, String> machineIds) throws IOException, InterruptedException {
        FleetNetwork net = new FleetNetwork(Files.createDirectories(dir.resolve("machine-ids")));
        net.removeLeftovers(machineIds.keySet());
        try {
            ip("link", "add", BRIDGE, "type", "bridge");
            ip("addr", "add", BROKER + "/24", "dev", BRIDGE);
            ip("link", "set", BRIDGE, "up");
            int n = 11;
            for (Map.Entry<String, String> host : machineIds.entrySet()) {
                String name = host.getKey();
                ip("netns", "add", namespace(name));
                net.hosts.put(name, n);
                ip("link", "add", link(name), "type", "veth", "peer", "name", "eth0", "netns", namespace(name));
                ip("link", "set", link(name), "master", BRIDGE, "up");
                ip("-n", namespace(name), "addr", "add", "198.18.77." + n + "/24", "dev", "eth0");
                ip("-n", namespace(name), "link", "set", "eth0", "up");
                ip("-n", namespace(name), "link", "set", "lo", "up");
                Files.writeString(net.ids.resolve(name), host.getValue() + "\n", StandardCharsets.US_ASCII);
                n++;
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * The command that runs the rest of a command line as host {@code name}: in its network
     * namespace, with its host name and machine id.
     */
    List<String> wrapper(String name) {
        return List.of("nsenter", "--net=/run/netns/" + namespace(name), "unshare", "--uts", "--mount", "--propagation", "private",
                "sh", "-c", "hostname \"$1\" && mount --bind \"$2\" /etc/machine-id && shift 2 && exec \"$@\"", "sh", name,
                ids.resolve(name).toString());
    }

    /** Takes the host's link down: nothing it sends leaves it, nothing reaches it. */
    void linkDown(String name) throws IOException, InterruptedException {
        ip("link", "set", link(name), "down");
    }

    void linkUp(String name) throws IOException, InterruptedException {
        ip("link", "set", link(name), "up");
    }

    private static String namespace(String host) {
        return "pmfleet-" + host;
    }

    /** The host's end on this machine's side (at most 15 characters, as link names are). */
    private static String link(String host) {
        return "pmf-" + host;
    }

    private void removeLeftovers(Iterable<String> names) throws IOException, InterruptedException {
        for (String name : names) {
            quietly("ip", "netns", "del", namespace(name)); // its veth goes with it
            quietly("ip", "link", "del", link(name));
        }
        quietly("ip", "link", "del", BRIDGE);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        removeLeftovers(new ArrayList<>(hosts.keySet()));
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void quietly(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
