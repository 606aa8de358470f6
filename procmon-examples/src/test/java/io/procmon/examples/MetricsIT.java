package io.procmon.examples;

import static io.procmon.examples.Workloads.groundTruth;
import static io.procmon.examples.Workloads.uniqueTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.schema.ProcessRecord;
import io.procmon.kafka.KafkaBroker;
import io.procmon.kafka.TopicReader;
import io.procmon.metrics.Exposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's /metrics against what it recorded, with losses forced at every origin, scraped by
 * a real Prometheus; and the endpoint under a flood of connections.
 */
@BpfTest
class MetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] ORIGINS = {"kernel_buffer", "kernel_start_record", "dispatch_queue"};
    @TempDir
    static Path tools;
    static Path burst;
    static Path storm;

    @BeforeAll
    static void buildHelpers() throws Exception {
        // nobody runs some of them: the directory and binaries must be theirs to execute
        Files.setPosixFilePermissions(tools, PosixFilePermissions.fromString("rwxr-xr-x"));
        burst = NativeHelpers.compile(tools, "burst");
        storm = NativeHelpers.compile(tools, "storm");
    }

    static Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return Exposition.samples(r.body());
    }

    /** The procmon_ series, once two scrapes a second apart agree: what the monitor counts has settled. */
    static Map<String, Double> settled(int port) throws Exception {
        Map<String, Double> previous = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Map<String, Double> now = new HashMap<>(scrape(port));
            now.keySet().removeIf(k -> !k.startsWith("procmon_") || k.startsWith("procmon_kernel_table_entries")
                    || k.startsWith("procmon_last_event"));
            if (now.equals(previous) && now.getOrDefault("procmon_kafka_pending_records", 0.0) == 0.0) {
                return now;
            }
            previous = now;
            Thread.sleep(1_000);
        }
        throw new AssertionError("the metrics never settled: " + previous);
    }

    static String series(String name, String label, String value) {
        return name + "{" + label + "=\"" + value + "\"}";
    }

    /** Runs {@code command} as nobody; returns its standard output's lines. */
    static List<String> asNobody(String... command) throws Exception {
        String[] cmd = new String[command.length + 4];
        System.arraycopy(new String[] {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}, 0, cmd, 0, 4);
        System.arraycopy(command, 0, cmd, 4, command.length);
        return groundTruth(cmd);
    }

    @Test
    void lossCountersEqualTheRecordingsNoticesAndPrometheusSeesTheSame(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = PrometheusServer.freePort();
        Path recording = dir.resolve("storm.jsonl");
        try (KafkaBroker broker = KafkaBroker.formatted(); // down until the losses are made
             PrometheusServer prometheus = PrometheusServer.scraping("127.0.0.1:" + port, dir)) {
            // Every origin forced: a one-page ring, a start table of 1,024 under 8,000 live
            // processes, a dispatch queue of 2, a Kafka queue of 50 with the broker away. Only
            // nobody's processes are recorded (filtered in the kernel): the host's stay out.
            RunningMonitor monitor = RunningMonitor.start(recording, "--format", "jsonl", "--uid", "nobody",
                    "--pages", "1", "--max-processes", "1024", "--queue", "2", "--metrics", "127.0.0.1:" + port,
                    "--kafka", broker.bootstrap(), "--kafka-topic", "metrics", "--kafka-queue", "50", "--host-name", "metrics-host");
            asNobody(burst.toString(), "8000");
            asNobody(storm.toString(), "3000", "2", uniqueTrue(dir, "metrics-storm").toString());
            broker.start();
            // One more process after the storm: a drop still pending in the dispatch queue is announced with it.
            asNobody(uniqueTrue(dir, "metrics-last").toString());
            Map<String, Double> m = settled(port);

            for (String origin : ORIGINS) {
                assertThat(m.get(series("procmon_events_lost_total", "origin", origin))).as(origin).isPositive();
            }
            assertThat(m.get(series("procmon_events_lost_total", "origin", "sink"))).isPositive();
            // Prometheus scraped the same numbers.
            Map<String, Double> lostInPrometheus = awaitInPrometheus(prometheus, "procmon_events_lost_total", "origin", m);
            Map<String, Double> writtenInPrometheus = awaitInPrometheus(prometheus, "procmon_processes_total", "output", m);
            Map<String, Double> kafkaInPrometheus = awaitInPrometheus(prometheus, "procmon_kafka_records_total", "result", m);

            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();

            // The recording: rows and loss notices per origin, counted from the file itself.
            long rows = 0;
            Map<String, Long> notices = new HashMap<>();
            for (String line : Files.readAllLines(recording)) {
                JsonNode procmon = JSON.readTree(line).path("procmon");
                switch (procmon.path("type").asText()) {
                    case "process" -> rows++;
                    case "lost" -> notices.merge(procmon.path("lost").path("origin").asText(), procmon.path("lost").path("count").asLong(), Long::sum);
                    default -> throw new AssertionError("unexpected record " + line);
                }
            }
            assertThat(writtenInPrometheus.get("file")).isEqualTo((double) rows);
            for (String origin : ORIGINS) {
                assertThat(lostInPrometheus.get(origin)).as(origin).isEqualTo((double) notices.getOrDefault(origin, 0L));
            }
            // The topic, from its raw sequence numbers: the records there and those its sink notices
            // announce are 1..N, each once, N the records the monitor numbered for Kafka.
            java.util.regex.Matcher summary = java.util.regex.Pattern.compile("Kafka: ([\\d,]+) records, ([\\d,]+) delivered, ([\\d,]+) lost")
                    .matcher(stopped.stderr());
            assertThat(summary.find()).as(stopped.stderr()).isTrue();
            long numbered = Long.parseLong(summary.group(1).replace(",", ""));
            long delivered = kafkaInPrometheus.get("delivered").longValue();
            assertThat(Long.parseLong(summary.group(2).replace(",", ""))).as("delivered by the end").isEqualTo(delivered);
            List<ProcessRecord> topic = TopicReader.read(broker.bootstrap(), "metrics", Duration.ofSeconds(60),
                    records -> records.size() >= delivered).records();
            java.util.BitSet seqs = new java.util.BitSet();
            long announced = 0;
            for (ProcessRecord r : topic) {
                assertThat(seqs.get((int) r.seq())).as("seq %d twice", r.seq()).isFalse();
                seqs.set((int) r.seq());
                if (r.lost().filter(l -> l.origin() == io.procmon.core.LostEvents.Origin.SINK).isPresent()) {
                    for (int i = 0; i < r.lostSeqs().length; i += 2) {
                        assertThat(seqs.get((int) r.lostSeqs()[i], (int) r.lostSeqs()[i + 1] + 1).isEmpty()).isTrue();
                        seqs.set((int) r.lostSeqs()[i], (int) r.lostSeqs()[i + 1] + 1);
                        announced += r.lostSeqs()[i + 1] - r.lostSeqs()[i] + 1;
                    }
                }
            }
            assertThat(topic).hasSize((int) delivered);
            assertThat(seqs.nextClearBit(1)).as("first seq neither in the topic nor announced").isEqualTo((int) numbered + 1);
            assertThat(seqs.length()).isEqualTo((int) numbered + 1);
            assertThat(kafkaInPrometheus.get("lost")).isEqualTo((double) announced);
            assertThat(lostInPrometheus.get("sink")).isEqualTo((double) announced);
        }
    }

    /** Waits until Prometheus's newest sample of each series of {@code metric} equals the monitor's own scrape. */
    private static Map<String, Double> awaitInPrometheus(PrometheusServer prometheus, String metric, String label,
            Map<String, Double> expected) throws Exception {
        Map<String, Double> want = new HashMap<>();
        expected.forEach((k, v) -> {
            if (k.startsWith(metric + "{" + label + "=\"")) {
                want.put(k.substring(metric.length() + label.length() + 3, k.length() - 2), v);
            }
        });
        assertThat(want).isNotEmpty();
        Map<String, Double> got = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            got = prometheus.query(metric + "{job=\"procmon\"}", label);
            if (got.equals(want)) {
                return got;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus has " + got + " for " + metric + ", the monitor " + want);
    }

    /**
     * A second process, bash alone (no child per request): 200 connections left hanging mid-request,
     * then requests one after another until 3,000 were answered 200 or a minute passed; prints how
     * many were. The server closes what is over its limits (so writes may meet a closed socket:
     * SIGPIPE is ignored), and the hanging ones after its request time limit.
     */
    private static final String FLOOD = """
            trap '' PIPE
            port=$1
            for i in $(seq 200); do
                exec {fd}<>/dev/tcp/127.0.0.1/$port && printf 'GET /metr' >&$fd
            done 2>/dev/null
            ok=0
            while [ "$ok" -lt 3000 ] && [ "$SECONDS" -lt 60 ]; do
                if exec 3<>/dev/tcp/127.0.0.1/$port; then
                    printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
                    if IFS= read -r -t 10 -u 3 line; then
                        line=${line%$'\r'}
                        [ "$line" = 'HTTP/1.1 200 OK' ] && ok=$((ok + 1))
                    fi
                    exec 3<&-
                fi
            done 2>/dev/null
            echo "$ok"
            """;

    @Test
    void aFloodOfConnectionsStallsNeitherTheRecordingNorGrowsTheMonitor(@TempDir Path dir) throws Exception {
        int port = PrometheusServer.freePort();
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("flood.csv"), "--metrics", String.valueOf(port));
        scrape(port); // the endpoint's classes loaded and its memory in use before the baseline
        long rssBefore = RunningMonitor.residentKiB(monitor.pid());
        // A second process: 200 connections left hanging mid-request, then 3,000 requests one after
        // another, all from bash itself (no child process per request).
        Process flood = new ProcessBuilder("bash", "-c", FLOOD, "flood", Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> truth = groundTruth(storm.toString(), "2000", "2", uniqueTrue(dir, "metrics-flood").toString());
        String answered = new String(flood.getInputStream().readAllBytes()).trim();
        assertThat(flood.waitFor(600, TimeUnit.SECONDS)).isTrue();
        long rssAfter = RunningMonitor.residentKiB(monitor.pid());
        Map<String, Double> after = scrape(port);
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as(stopped.stderr()).isZero();

        assertThat(Long.parseLong(answered)).as("requests answered within a minute").isEqualTo(3_000);
        assertThat(monitor.rows().stream().filter(r -> r.get("COMMAND").equals("metrics-flood")).count()).isEqualTo(truth.size());
        assertThat(stopped.stderr()).contains("; 0 events lost");
        assertThat(after.get("procmon_healthy")).isEqualTo(1.0);
        System.out.printf("metrics flood: 3,000 requests answered; monitor RSS %d KiB before, %d KiB after%n", rssBefore, rssAfter);
        assertThat(rssAfter - rssBefore).as("resident growth in KiB").isLessThan(32 * 1024);
    }
}
