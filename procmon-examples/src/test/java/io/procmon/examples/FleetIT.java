package io.procmon.examples;

import static io.procmon.examples.Workloads.groundTruth;
import static io.procmon.examples.Workloads.uniqueTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.kafka.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet as deployed: three hosts (each a network namespace with its own host name and machine
 * id, {@link FleetNetwork}) stream to a broker on its own address across a real network stack, into
 * a topic of six partitions keyed by host, read by three collectors of one group, each into its own
 * file. Mid-run two hosts lose their link for 10 s, one collector is killed with SIGKILL and another
 * joins late; {@code procmon collect --summarize} over the three files must account for every
 * record of every host exactly.
 */
@BpfTest
class FleetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 6;
    private static final String TOPIC = "fleet";
    /** The workload's command name, unique to this test. */
    private static final String PROGRAM = "fleet-work";

    /** Machine ids whose keys land on partitions 0, 3 and 1: whichever way two collectors split the six, each reads a host. */
    private static Map<String, String> machineIds() {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put("alpha", 0);
        wanted.put("beta", 3);
        wanted.put("gamma", 1);
        Map<String, String> ids = new LinkedHashMap<>();
        java.util.Random random = new java.util.Random(25);
        wanted.forEach((host, partition) -> {
            while (true) {
                String id = String.format("%016x%016x", random.nextLong(), random.nextLong());
                // The producer's default partitioner for a keyed record; the sink's key is the machine id.
                if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == partition) {
                    ids.put(host, id);
                    return;
                }
            }
        });
        return ids;
    }

    /** Every process this test started, killed at its end whatever happened (a failure leaves none running). */
    private final List<RunningMonitor> started = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killWhatIsLeft() {
        started.forEach(RunningMonitor::destroy);
    }

    private RunningMonitor collector(KafkaBroker broker, Path file) throws Exception {
        return track(RunningMonitor.startAndAwait(List.of("collect", "--kafka", broker.bootstrap(), "--kafka-topic", TOPIC, "--group", "fleet",
                "--format", "jsonl", "-o", file.toString(), "--idle-exit", "15",
                // a killed member's partitions move on after 6 s (the broker's least) instead of 45
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000"),
                Map.of(), "procmon collect: reading ", file));
    }

    private RunningMonitor track(RunningMonitor m) {
        started.add(m);
        return m;
    }

    @Test
    void threeHostsThreeCollectorsOneKilledOneLateAndTwoLinksDownAreAccountedExactly(@TempDir Path dir) throws Exception {
        Path storm = NativeHelpers.compile(dir, "storm");
        try (FleetNetwork net = FleetNetwork.create(dir, machineIds());
                KafkaBroker broker = KafkaBroker.startNew(FleetNetwork.BROKER)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            List<Path> files = List.of(dir.resolve("a.jsonl"), dir.resolve("b.jsonl"), dir.resolve("c.jsonl"));
            RunningMonitor first = collector(broker, files.get(0));
            RunningMonitor second = collector(broker, files.get(1));

            List<String> common = List.of("-o", "none", "--kafka", broker.bootstrap(), "--kafka-topic", TOPIC, "--kafka-close-timeout", "60");
            Map<String, RunningMonitor> hosts = new LinkedHashMap<>();
            // alpha: the defaults, whose queue holds a 10 s outage. beta: a small queue and short
            // timeouts, so that the same outage costs records, each announced. gamma: never cut off.
            hosts.put("alpha", host(net, "alpha", common));
            List<String> fragile = new ArrayList<>(common);
            fragile.addAll(List.of("--kafka-queue", "500", "--kafka-property", "delivery.timeout.ms=4000",
                    "--kafka-property", "request.timeout.ms=2000", "--kafka-property", "buffer.memory=131072"));
            hosts.put("beta", host(net, "beta", fragile));
            hosts.put("gamma", host(net, "gamma", common));
            for (Map.Entry<String, RunningMonitor> h : hosts.entrySet()) {
                // Host.local(): the name of its own UTS namespace
                assertThat(h.getValue().stderrSoFar()).contains("recording to Kafka topic " + TOPIC + " at " + broker.bootstrap());
            }

            List<String> truth = new ArrayList<>();
            String program = uniqueTrue(dir, PROGRAM).toString();
            Runnable work = () -> {
                try {
                    truth.addAll(groundTruth(storm.toString(), "600", "2", program));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            work.run();
            net.linkDown("alpha");
            net.linkDown("beta");
            long down = System.nanoTime();
            while (System.nanoTime() - down < TimeUnit.SECONDS.toNanos(10)) {
                work.run();
            }
            net.linkUp("alpha");
            net.linkUp("beta");
            work.run();
            awaitNonEmpty(files.get(0));
            first.destroy(); // SIGKILL: whatever it wrote and had not committed, the group hands out again
            work.run();
            work.run();
            RunningMonitor late = collector(broker, files.get(2));
            long joined = System.nanoTime();
            do { // until the group has given the late collector partitions and it has written records
                work.run();
            } while (Files.size(files.get(2)) == 0 && System.nanoTime() - joined < TimeUnit.SECONDS.toNanos(90));
            assertThat(Files.size(files.get(2))).as("records written by the collector that joined late").isPositive();
            work.run();

            Map<String, FleetAccounting.Sent> sent = new LinkedHashMap<>();
            for (Map.Entry<String, RunningMonitor> h : hosts.entrySet()) {
                h.getValue().signal("TERM");
                RunningMonitor.Stopped stopped = h.getValue().awaitExit(120);
                assertThat(stopped.code()).as(stopped.stderr()).isZero();
                sent.put(h.getKey(), FleetAccounting.Sent.of(stopped.stderr()));
            }
            for (RunningMonitor c : List.of(second, late)) {
                RunningMonitor.Stopped stopped = c.awaitExit(180);
                assertThat(stopped.code()).as(stopped.stderr()).isZero();
            }

            RunningMonitor.Result summary = RunningMonitor.run(List.of("collect", "--summarize", files.get(0).toString(),
                    files.get(1).toString(), files.get(2).toString()), Map.of(), List.of());
            assertThat(summary.code()).as(summary.err()).isZero();
            System.err.println("fleet: " + sent + "\n" + summary.out() + summary.err());

            Map<String, List<JsonNode>> byHost = recordsByHost(files);
            long duplicates = 0;
            for (String host : hosts.keySet()) {
                long[] run = FleetAccounting.run(summary.out(), host);
                FleetAccounting.RawSeqs raw = FleetAccounting.RawSeqs.of(byHost.get(host));
                // The summary's figures are those of the records themselves, across the three files.
                assertThat(run).as("%s: %s", host, summary.out()).containsExactly(raw.received(), raw.missing(), raw.announced(),
                        raw.announcedButArrived(), raw.duplicates());
                // Received + announced lost (+ undelivered at close) = numbered by the host.
                FleetAccounting.Sent s = sent.get(host);
                long lostForSure = run[2] - run[3];
                assertThat(run[0] + lostForSure + s.undelivered()).as(host).isEqualTo(s.numbered());
                assertThat(raw.neitherReceivedNorAnnounced(s.numbered())).as(host).isEqualTo(s.undelivered());
                List<String> processes = pairsOf(byHost.get(host));
                if (host.equals("beta")) {
                    assertThat(s.lost()).as("beta's outage must cost records for its accounting to mean anything").isPositive();
                    Map<String, Long> expected = Workloads.multiset(truth);
                    assertThat(Workloads.multiset(processes)).allSatisfy((k, v) -> assertThat(v).isLessThanOrEqualTo(expected.getOrDefault(k, 0L)));
                    assertThat(truth.size() - processes.size()).isLessThanOrEqualTo((int) (lostForSure + s.undelivered()));
                } else {
                    // Nothing lost: every process of the workload once, whether or not its link went down.
                    assertThat(s.lost() + s.undelivered()).as(host).isZero();
                    assertThat(run[1]).as("%s: missing", host).isZero();
                    assertThat(Workloads.multiset(processes)).as(host).isEqualTo(Workloads.multiset(truth));
                }
                duplicates += run[4];
            }
            assertThat(summary.out()).contains("procmon collect: ");
            System.err.printf("fleet: %,d duplicates across the files after the SIGKILL%n", duplicates);
        }
    }

    private RunningMonitor host(FleetNetwork net, String name, List<String> args) throws Exception {
        return track(RunningMonitor.startAndAwait(net.wrapper(name), args, Map.of(), "procmon: recording to ", null));
    }

    private static void awaitNonEmpty(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (!Files.exists(file) || Files.size(file) == 0)) {
            Thread.sleep(100);
        }
        assertThat(Files.size(file)).as("%s: the collector to be killed has written records", file).isPositive();
    }

    /** Every whole line of the files, by host name; a last line torn by the SIGKILL is left out, as the summary counts it. */
    private static Map<String, List<JsonNode>> recordsByHost(List<Path> files) throws Exception {
        Map<String, List<JsonNode>> byHost = new LinkedHashMap<>();
        for (Path file : files) {
            String text = Files.readString(file);
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length - 1; i++) { // after the last newline: empty, or a torn line
                JsonNode n = JSON.readTree(lines[i]);
                byHost.computeIfAbsent(n.path("host").path("name").asText(), k -> new ArrayList<>()).add(n);
            }
        }
        return byHost;
    }

    /** The workload's processes of one host, each record once (a duplicate has the same sequence number). */
    private static List<String> pairsOf(List<JsonNode> records) {
        Set<Long> seen = new HashSet<>();
        return records.stream().filter(n -> seen.add(n.path("procmon").path("seq").asLong()))
                .filter(n -> PROGRAM.equals(n.path("procmon").path("comm").asText()))
                .map(n -> n.path("process").path("pid").asLong() + " " + n.path("process").path("parent_pid").asLong()).toList();
    }
}
