package io.procmon.examples;

import static io.procmon.examples.Workloads.groundTruth;
import static io.procmon.examples.Workloads.multiset;
import static io.procmon.examples.Workloads.uniqueTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.kafka.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor streaming to a real Kafka broker, and {@code procmon collect} reading it back. */
@BpfTest
class KafkaCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tools;
    static Path storm;

    @BeforeAll
    static void buildHelpers() throws Exception {
        storm = NativeHelpers.compile(tools, "storm");
    }

    /** {@code procmon collect} into JSON Lines until 10 s pass without a record; its records and report. */
    private static Collected collect(KafkaBroker broker, String topic, Path dir, String format, String... extra) throws Exception {
        Path out = dir.resolve("fleet-" + topic + "." + format);
        List<String> args = new ArrayList<>(List.of("collect", "--kafka", broker.bootstrap(), "--kafka-topic", topic,
                "--group", "g-" + topic, "-o", out.toString(), "--format", format, "--idle-exit", "10"));
        args.addAll(List.of(extra));
        RunningMonitor.Result r = RunningMonitor.run(args, java.util.Map.of(), List.of());
        assertThat(r.code()).as(r.err()).isZero();
        return new Collected(Files.readString(out), r.err());
    }

    record Collected(String text, String report) {
        List<JsonNode> records() throws Exception {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        }

        /** The report line of the one run of host {@code host}: received, missing, announced, announced but arrived, duplicates. */
        long[] run(String host) {
            return FleetAccounting.run(report, host);
        }
    }

    private static List<String> pairsOf(List<JsonNode> records, String comm) {
        return records.stream().filter(n -> comm.equals(n.path("procmon").path("comm").asText()))
                .map(n -> n.path("process").path("pid").asLong() + " " + n.path("process").path("parent_pid").asLong()).toList();
    }

    @Test
    void aStormOf20000ReachesKafkaWholeAndInSequence(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            RunningMonitor monitor = RunningMonitor.start(dir.resolve("local.csv"), "--kafka", broker.bootstrap(),
                    "--kafka-topic", "storm", "--host-name", "storm-host");
            List<String> truth = groundTruth(storm.toString(), "20000", "4", uniqueTrue(dir, "kafka-storm").toString());
            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();
            assertThat(stopped.stderr()).contains("; 0 events lost").containsPattern("Kafka: [\\d,]+ records, [\\d,]+ delivered, 0 lost");

            Collected got = collect(broker, "storm", dir, "jsonl");
            List<JsonNode> records = got.records();
            assertThat(multiset(pairsOf(records, "kafka-storm"))).isEqualTo(multiset(truth));
            long[] run = got.run("storm-host");
            assertThat(run[0]).isEqualTo(records.size());
            assertThat(run[1]).as("missing").isZero();
            assertThat(run[4]).as("duplicates").isZero();
            // Sequence numbers 1..N, each once.
            List<Long> seqs = records.stream().map(n -> n.path("procmon").path("seq").asLong()).sorted().toList();
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).isEqualTo(i + 1L);
            }
            // The same rows as the local file.
            assertThat(monitor.rows().stream().filter(r -> r.get("COMMAND").equals("kafka-storm")).count()).isEqualTo(20_000);
        }
    }

    @Test
    void aBrokerDownAtStartDelaysNothingLocalAndGetsTheRecordsLater(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.formatted()) {
            RunningMonitor monitor = RunningMonitor.start(dir.resolve("local.csv"), "--kafka", broker.bootstrap(),
                    "--kafka-topic", "late", "--host-name", "late-host", "--kafka-close-timeout", "120");
            List<String> truth = groundTruth(storm.toString(), "500", "2", uniqueTrue(dir, "kafka-late").toString());
            // The local file is complete while the broker is still down, as soon as it would be without
            // Kafka: the monitor writes an idle file within its 1 s flush interval (a stall for the
            // broker's sake, 5 s of probing or 60 s of max.block.ms, would not fit).
            long stormEnded = System.nanoTime();
            long local = 0;
            while (local < 500 && System.nanoTime() - stormEnded < 2_000_000_000L) {
                Thread.sleep(20);
                local = monitor.rows().stream().filter(r -> r.get("COMMAND").equals("kafka-late")).count();
            }
            assertThat(local).as("local rows within 2 s of the storm's end").isEqualTo(500);
            monitor.awaitStderr("is not reachable");
            broker.start();
            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();
            assertThat(stopped.stderr()).contains("procmon: warning: Kafka at " + broker.bootstrap() + " is not reachable")
                    .doesNotContain("\tat ").containsPattern("Kafka: [\\d,]+ records, [\\d,]+ delivered, 0 lost");
            Collected got = collect(broker, "late", dir, "jsonl");
            assertThat(multiset(pairsOf(got.records(), "kafka-late"))).isEqualTo(multiset(truth));
        }
    }

    @Test
    void aBrokerKilledMidStormLosesNothingUnaccounted(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            // A small queue and short delivery timeouts: an outage of seconds must cost records.
            RunningMonitor monitor = RunningMonitor.start(dir.resolve("local.csv"), "--kafka", broker.bootstrap(),
                    "--kafka-topic", "outage", "--host-name", "outage-host", "--kafka-queue", "1000",
                    "--kafka-property", "delivery.timeout.ms=3000", "--kafka-property", "request.timeout.ms=1000",
                    "--kafka-property", "buffer.memory=262144", "--kafka-close-timeout", "30");
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(1_500);
                    broker.kill();
                    Thread.sleep(2_000);
                    broker.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            killer.start();
            List<String> truth = new ArrayList<>();
            Path program = uniqueTrue(dir, "kafka-outage");
            while (killer.isAlive()) {
                truth.addAll(groundTruth(storm.toString(), "2000", "2", program.toString()));
            }
            truth.addAll(groundTruth(storm.toString(), "2000", "2", program.toString())); // after the broker is back
            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();
            FleetAccounting.Sent sent = FleetAccounting.Sent.of(stopped.stderr());
            long numbered = sent.numbered();
            assertThat(sent.lost()).as("the outage must cost records for this test to mean anything").isPositive();
            long undelivered = sent.undelivered();
            // Nothing is missing from the local file.
            assertThat(multiset(monitor.rows().stream().filter(r -> r.get("COMMAND").equals("kafka-outage"))
                    .map(r -> r.get("PID") + " " + r.get("PPID")).toList())).isEqualTo(multiset(truth));

            Collected got = collect(broker, "outage", dir, "jsonl");
            List<JsonNode> records = got.records();
            long[] run = got.run("outage-host");
            // The collector's figures against the raw sequence numbers of what it wrote.
            FleetAccounting.RawSeqs raw = FleetAccounting.RawSeqs.of(records);
            assertThat(run).as(got.report()).containsExactly(raw.received(), raw.missing(), raw.announced(), raw.announcedButArrived(),
                    raw.duplicates());
            assertThat(raw.neitherReceivedNorAnnounced(numbered)).as("numbered records neither in Kafka nor announced lost")
                    .isEqualTo(undelivered);
            long highest = raw.highest();
            // Records consumed + losses reported = records produced. A record the producer gave up on may
            // have been written all the same (a timeout cannot tell): the notice names it, the collector
            // sees it arrive, and it counts once.
            long lostForSure = run[2] - run[3];
            assertThat(run[0] + lostForSure + undelivered).as(got.report()).isEqualTo(numbered);
            // The gaps the collector reports are exactly the reported losses (trailing ones only at close).
            assertThat(run[1] + (numbered - highest)).as(got.report()).isEqualTo(lostForSure + undelivered);
            assertThat(run[4]).as("duplicates").isZero();
            // What reached Kafka is a part of the truth, and what did not is accounted as lost.
            Map<String, Long> inKafka = multiset(pairsOf(records, "kafka-outage"));
            Map<String, Long> expected = multiset(truth);
            assertThat(inKafka).allSatisfy((k, v) -> assertThat(v).isLessThanOrEqualTo(expected.getOrDefault(k, 0L)));
            assertThat(truth.size() - pairsOf(records, "kafka-outage").size()).isLessThanOrEqualTo((int) (lostForSure + undelivered));
        }
    }

    @Test
    void twoHostsIntoOneTopicAndOneFile(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            RunningMonitor alpha = RunningMonitor.start(dir.resolve("a.csv"), "--kafka", broker.bootstrap(),
                    "--kafka-topic", "fleet", "--host-name", "alpha");
            RunningMonitor beta = RunningMonitor.start(null, "-o", "none", "--kafka", broker.bootstrap(),
                    "--kafka-topic", "fleet", "--host-name", "beta");
            Process p = new ProcessBuilder(uniqueTrue(dir, "fleet-probe").toString()).start();
            assertThat(p.waitFor()).isZero();
            assertThat(alpha.stop().code()).isZero(); // stopping drains: the probe's row is sent by then
            RunningMonitor.Stopped b = beta.stop();
            assertThat(b.code()).as(b.stderr()).isZero();
            assertThat(b.stderr()).contains("recording to Kafka topic fleet at " + broker.bootstrap() + ";");

            Collected got = collect(broker, "fleet", dir, "csv");
            Map<String, List<String>> hostsOfProbe = new HashMap<>();
            List<String> lines = got.text().lines().toList();
            assertThat(lines.get(0)).isEqualTo("HOST,PID,PPID,USER,COMMAND,DURATION_MS,START_TIME,END_TIME");
            for (String line : lines) {
                String[] cells = line.split(",");
                if (cells.length > 4 && cells[4].equals("fleet-probe")) {
                    hostsOfProbe.computeIfAbsent(cells[1], k -> new ArrayList<>()).add(cells[0]);
                }
            }
            // The two producers race: either may be first in the topic.
            assertThat(hostsOfProbe.get(Long.toString(p.pid()))).containsExactlyInAnyOrder("alpha", "beta");
            got.run("alpha");
            got.run("beta");
        }
    }

    @Test
    void collectJoinsEachRowWithItsParentByEntityId(@TempDir Path dir) throws Exception {
        Path kid = uniqueTrue(dir, "cj-kid");
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            RunningMonitor host = RunningMonitor.start(null, "-o", "none", "--kafka", broker.bootstrap(), "--kafka-topic", "tree",
                    "--host-name", "tree", "--events", "exec,exit");
            Process p = new ProcessBuilder("/bin/sh", "-c", kid + "; " + kid + "; :").start();
            assertThat(p.waitFor()).isZero();
            RunningMonitor.Stopped stopped = host.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();

            Collected got = collect(broker, "tree", dir, "csv", "--columns", "host,pid,ppid,command,event,entity_id,parent_entity_id,parent_command");
            List<String[]> rows = got.text().lines().skip(1).map(l -> l.split(",", -1)).toList();
            String[] shell = rows.stream().filter(r -> r[1].equals(Long.toString(p.pid())) && r[4].equals("exec")).findFirst().orElseThrow();
            List<String[]> kids = rows.stream().filter(r -> r[3].equals("cj-kid")).toList();
            assertThat(kids).as("two kids, an exec and an exit row each").hasSize(4);
            for (String[] r : kids) {
                assertThat(r[6]).as(String.join(",", r)).isEqualTo(shell[5]);
                assertThat(r[7]).as(String.join(",", r)).isEqualTo("sh");
            }
            assertThat(got.report()).containsPattern("parents joined by entity id: [0-9,]+ rows with their parent's");
        }
    }

    /** A record of host "poison", run "r1", written by the schema's own writer and then edited as text. */
    private static String record(long seq, String comm) throws Exception {
        java.io.StringWriter text = new java.io.StringWriter();
        io.procmon.schema.ProcessRecords records = new io.procmon.schema.ProcessRecords(new io.procmon.core.Host("poison", "id"), "r1");
        try (com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(text)) {
            records.writeProcess(g, io.procmon.core.ProcessEvent.builder().pid(7).command(comm).exitCode(0).build());
        }
        return text.toString().replaceFirst("\"seq\":\\d+", "\"seq\":" + seq);
    }

    @Test
    void poisonRecordsAreSkippedNamedAndCommittedNeverACrashLoop(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            List<String> values = List.of(
                    record(1, "first"),
                    "not json at all",
                    record(2, "x").replace("\"seq\":2,", ""),                      // no seq
                    record(0, "zero"),
                    record(2_147_483_648L, "huge"),                                  // beyond any run's numbers
                    record(3, "two") + "\n" + record(4, "forged"),                   // a second record after the first
                    "{\"pad\":\n" + record(5, "forged") + "\n," + record(6, "spread").substring(1), // a line break between tokens
                    record(7, "escZZ").replace("escZZ", "esc\\\\xZZ"),          // a comm not in procmon's escaped form: just text
                    record(8, "last"));
            java.util.Properties p = new java.util.Properties();
            p.setProperty("bootstrap.servers", broker.bootstrap());
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(p,
                    new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (String v : values) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("poison", v.getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
                }
            }

            Collected got = collect(broker, "poison", dir, "jsonl");
            for (int offset : new int[] {1, 2, 3, 4, 5}) {
                assertThat(got.report()).contains("procmon collect: skipped poison-0@" + offset + ": ");
            }
            assertThat(got.report()).contains("5 values were not procmon records");
            List<String> lines = got.text().lines().toList();
            assertThat(lines).hasSize(4).noneMatch(l -> l.contains("forged") && !l.contains("\"pad\""));
            List<String> comms = new ArrayList<>();
            for (JsonNode n : got.records()) {
                comms.add(n.at("/procmon/comm").asText());
            }
            assertThat(comms).containsExactly("first", "spread", "esc\\xZZ", "last");
            assertThat(got.run("poison")[0]).isEqualTo(4);

            // Offsets were committed past the poison: the next start of the same group reads nothing and ends well.
            Collected again = collect(broker, "poison", dir, "jsonl");
            assertThat(again.text()).isEmpty();
        }
    }

    @Test
    void badKafkaConfigurationIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"--kafka-property", "linger.ms"}, {"Kafka property \"linger.ms\" is not KEY=VALUE"},
            {"--kafka-property", "security.protocol=CARRIER_PIGEON"}, {"unknown Kafka security.protocol \"CARRIER_PIGEON\""},
            {"--kafka-topic", ""}, {"the Kafka topic must not be empty"},
            {"--kafka-property", "acks=maybe"}, {"bad Kafka configuration: Invalid value maybe for configuration acks"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            List<String> args = new ArrayList<>(List.of("-o", dir.resolve("x.csv").toString(), "--kafka", "127.0.0.1:9"));
            args.addAll(List.of(cases[i]));
            RunningMonitor.Result r = RunningMonitor.run(args, java.util.Map.of(), List.of());
            String err = r.err();
            assertThat(r.code()).as(err).isEqualTo(2);
            assertThat(err.lines().findFirst().orElse("")).startsWith("procmon: " + cases[i + 1][0]);
            assertThat(err).doesNotContain("\tat ").hasLineCount(2); // the message and "Try 'procmon --help'"
        }
        // An unreachable broker is a warning: the monitor runs and the local file works.
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("local.csv"), "--kafka", "127.0.0.1:9",
                "--kafka-close-timeout", "1");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Thread.sleep(6_500);
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as(stopped.stderr()).isZero();
        assertThat(stopped.stderr()).contains("procmon: warning: Kafka at 127.0.0.1:9 is not reachable (no answer within 5 s)")
                .doesNotContain("\tat ").containsPattern("could not be delivered within 1 s of stopping");
        assertThat(monitor.rows()).anyMatch(r -> r.get("PID").equals(Long.toString(p.pid())));
    }
}
