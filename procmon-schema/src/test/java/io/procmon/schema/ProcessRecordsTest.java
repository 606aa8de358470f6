package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.core.Arguments;
import io.procmon.core.EventSink;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schema's field names, pinned: a renamed field fails here, in the module that owns it, and
 * every record written reads back to what was written.
 */
class ProcessRecordsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();
    private static final Host HOST = new Host("edge-7", "0123abcd");

    private static List<JsonNode> parse(String text) throws Exception {
        assertThat(text).endsWith("\n");
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }

    /** Records written one per line by one {@link ProcessRecords} of run-1, as the sinks write them. */
    private static String write(java.util.function.Consumer<EventSink> body) {
        ProcessRecords records = new ProcessRecords(HOST, "run-1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.accept(new EventSink() {
            @Override
            public void onEvent(ProcessEvent event) {
                line(g -> records.writeProcess(g, event));
            }

            @Override
            public void onLost(LostEvents lost) {
                line(g -> records.writeLost(g, lost));
            }

            private void line(Record record) {
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    record.write(g);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.write('\n');
            }
        });
        return out.toString(StandardCharsets.UTF_8);
    }

    private interface Record {
        void write(JsonGenerator g) throws IOException;
    }

    @Test
    void oneNestedObjectPerProcessWithOpenTelemetryNames() throws Exception {
        String text = write(sink -> {
            sink.onEvent(ProcessEvent.builder().pid(1234).ppid(1200).uid(0).command("bash").execTimeNanos(1_000)
                    .exitTimeNanos(1_000 + 1_520_340_000L).exitCode(3 << 8).executable("/usr/bin/bash").build()
                    .withUserName("root"));
            sink.onEvent(ProcessEvent.builder().pid(7).ppid(1).parentAtExit(1).uid(1000).command("sleep").exitCode(9 | 0x80)
                    .startedBeforeMonitoring(true).build());
        });
        List<JsonNode> lines = parse(text);
        assertThat(lines).hasSize(2);
        JsonNode bash = lines.get(0);
        assertThat(bash.at("/process/pid").asInt()).isEqualTo(1234);
        assertThat(bash.at("/process/parent_pid").asInt()).isEqualTo(1200);
        assertThat(bash.at("/process/real_user/id").asInt()).isZero();
        assertThat(bash.at("/process/real_user/name").asText()).isEqualTo("root");
        assertThat(bash.at("/process/exit/code").asInt()).isEqualTo(3);
        assertThat(bash.at("/process/executable/path").asText()).isEqualTo("/usr/bin/bash");
        assertThat(bash.at("/process/executable/name").asText()).isEqualTo("bash");
        assertThat(bash.at("/host/name").asText()).isEqualTo("edge-7");
        assertThat(bash.at("/host/id").asText()).isEqualTo("0123abcd");
        assertThat(bash.at("/procmon/schema").asInt()).isEqualTo(ProcessRecords.SCHEMA);
        assertThat(bash.at("/procmon/run").asText()).isEqualTo("run-1");
        assertThat(bash.at("/procmon/seq").asLong()).isEqualTo(1);
        assertThat(bash.at("/procmon/type").asText()).isEqualTo("process");
        assertThat(bash.at("/procmon/comm").asText()).isEqualTo("bash");
        assertThat(bash.at("/procmon/duration_ms").decimalValue()).isEqualByComparingTo("1520.34");
        assertThat(bash.at("/procmon/signal").isMissingNode()).isTrue();
        assertThat(bash.at("/procmon/started_before_monitoring").asBoolean()).isFalse();
        JsonNode sleep = lines.get(1);
        assertThat(sleep.at("/procmon/seq").asLong()).isEqualTo(2);
        assertThat(sleep.at("/procmon/signal").asInt()).isEqualTo(9);
        assertThat(sleep.at("/procmon/core_dumped").asBoolean()).isTrue();
        assertThat(sleep.at("/process/exit/code").isMissingNode()).isTrue();
        assertThat(sleep.at("/process/real_user/name").isMissingNode()).isTrue();
        assertThat(sleep.at("/process/executable").isMissingNode()).isTrue();
        assertThat(sleep.at("/procmon/started_before_monitoring").asBoolean()).isTrue();
        assertThat(sleep.at("/procmon/parent_at_exit").isMissingNode()).as("same as ppid").isTrue();
    }

    @Test
    void wallClockCgroupContainerAndArgumentsWhenRecorded() throws Exception {
        String id = "ab12".repeat(16);
        String text = write(sink -> {
            sink.onEvent(ProcessEvent.builder().pid(5).command("sh").execTimeNanos(5_123_456_789L).exitTimeNanos(6_000_000_000L)
                    .clockOffsetNanos(java.time.Instant.parse("2026-11-26T13:04:00Z").getEpochSecond() * 1_000_000_000L)
                    .cgroup(77, "/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-" + id + ".scope")
                    .arguments(new Arguments(List.of("sh", "-c", "x\\xff"), true, 4000)).build());
            sink.onEvent(ProcessEvent.builder().pid(6).command("lost").argumentsMissing().build());
        });
        List<JsonNode> lines = parse(text);
        JsonNode e = lines.get(0);
        assertThat(e.at("/process/creation/time").asText()).isEqualTo("2026-11-26T13:04:05.123456Z");
        assertThat(e.at("/process/exit/time").asText()).isEqualTo("2026-11-26T13:04:06.000000Z");
        assertThat(e.at("/process/linux/cgroup").asText()).endsWith(id + ".scope");
        assertThat(e.at("/procmon/cgroup_id").asLong()).isEqualTo(77);
        assertThat(e.at("/container/id").asText()).isEqualTo(id);
        assertThat(e.at("/container/runtime").asText()).isEqualTo("containerd");
        assertThat(e.at("/k8s/pod/uid").asText()).isEqualTo("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
        assertThat(e.at("/process/command_args")).extracting(JsonNode::asText).containsExactly("sh", "-c", "x\\xff");
        assertThat(e.at("/procmon/args/truncated").asBoolean()).isTrue();
        assertThat(e.at("/procmon/args/bytes").asLong()).isEqualTo(4000);
        assertThat(e.at("/procmon/args/missing").asBoolean()).isFalse();
        JsonNode lost = lines.get(1);
        assertThat(lost.at("/process/command_args").isMissingNode()).isTrue();
        assertThat(lost.at("/procmon/args/missing").asBoolean()).isTrue();
        assertThat(lost.at("/procmon/cgroup_id").isMissingNode()).as("cgroups not recorded: no fields").isTrue();
        assertThat(lost.at("/process/creation").isMissingNode()).isTrue();
    }

    @Test
    void lossesAreNumberedRecordsToo() throws Exception {
        String text = write(sink -> {
            sink.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 12));
            sink.onLost(new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, LostEvents.NO_CPU, 3));
        });
        List<JsonNode> lines = parse(text);
        assertThat(lines.get(0).toString()).isEqualTo("{\"host\":{\"name\":\"edge-7\",\"id\":\"0123abcd\"},\"procmon\":{\"schema\":1,"
                + "\"run\":\"run-1\",\"seq\":1,\"type\":\"lost\",\"lost\":{\"origin\":\"kernel_buffer\",\"cpu\":1,\"count\":12}}}");
        assertThat(lines.get(1).at("/procmon/seq").asLong()).isEqualTo(2);
        assertThat(lines.get(1).at("/procmon/lost/cpu").isMissingNode()).isTrue();
    }

    @Test
    void everyRecordReadsBackToWhatWasWritten() throws Exception {
        ProcessEvent full = ProcessEvent.builder().pid(42).ppid(41).parentAtExit(1).uid(1000).commandBytes(new byte[] {'a', (byte) 0xff})
                .execTimeNanos(1_000_000_123L).exitTimeNanos(2_000_000_456L).exitCode(6 | 0x80).executable("/opt/x")
                .executableTruncated(true).startedBeforeMonitoring(true).userName("ann").clockOffsetNanos(1_700_000_000_000_000_000L)
                .host(HOST).cgroup(9, "/system.slice/docker-" + "cd".repeat(32) + ".scope")
                .arguments(new Arguments(List.of("x", "y z"), false, 6))
                .starts(990_000_000L, 500_000_000L).bootId("6c3f8d0e-1b1a-4a4e-9d7e-0e9a3c0b2f11").login(1000, 3).effectiveUid(0)
                .tty("pts/1").build();
        ProcessEvent bare = ProcessEvent.builder().pid(1).ppid(0).command("init").exitCode(0).argumentsMissing().host(HOST).build();
        String text = write(sink -> {
            sink.onEvent(full);
            sink.onLost(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 5));
            sink.onEvent(bare);
        });
        String[] lines = text.split("\n");
        ProcessRecord first = ProcessRecord.parse(lines[0]);
        assertThat(first.event()).contains(full);
        assertThat(first.event().get().entityId()).isEqualTo(full.entityId()).isPresent();
        assertThat(first.event().get().parentEntityId()).isEqualTo(full.parentEntityId()).isPresent();
        assertThat(first.event().get().loginUid()).hasValue(1000);
        assertThat(first.event().get().tty()).hasValue("pts/1");
        JsonNode json = MAPPER.readTree(lines[0]);
        assertThat(json.at("/process/entity_id").asText()).isEqualTo(full.entityId().get());
        assertThat(json.at("/process/parent/entity_id").asText()).isEqualTo(full.parentEntityId().get());
        assertThat(json.at("/process/user/id").asInt()).as("effective").isZero();
        assertThat(json.at("/process/audit/login_uid").asInt()).isEqualTo(1000);
        assertThat(json.at("/process/audit/session_id").asInt()).isEqualTo(3);
        assertThat(json.at("/process/tty/name").asText()).isEqualTo("pts/1");
        assertThat(json.at("/procmon/kernel/start_ns").asLong()).isEqualTo(990_000_000L);
        assertThat(first.host()).isEqualTo(HOST);
        assertThat(first.run()).isEqualTo("run-1");
        assertThat(first.seq()).isEqualTo(1);
        assertThat(ProcessRecord.parse(lines[1]).lost()).contains(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 5));
        assertThat(ProcessRecord.parse(lines[2]).event()).contains(bare);
        JsonNode bareJson = MAPPER.readTree(lines[2]);
        for (String absent : List.of("/process/entity_id", "/process/parent", "/process/user", "/process/audit", "/process/tty")) {
            assertThat(bareJson.at(absent).isMissingNode()).as(absent).isTrue();
        }
        assertThatThrownBy(() -> ProcessRecord.parse(lines[0].replace(full.entityId().get(), "../../etc")))
                .hasMessageContaining("process.entity_id is not 32 lower-case hex digits");
    }

    @Test
    void textThatIsNotARecordIsRefusedWithAReason() {
        assertThatThrownBy(() -> ProcessRecord.parse("{\"pid\":1}")).hasMessageContaining("no procmon object");
        assertThatThrownBy(() -> ProcessRecord.parse("{\"procmon\":{\"schema\":99}}")).hasMessageContaining("schema 99");
        assertThatThrownBy(() -> ProcessRecord.parse("nope")).hasMessageStartingWith("not one JSON object");
    }

    @Test
    void fromBytesAsFromTextAndOnlyUtf8() throws Exception {
        String line = write(sink -> sink.onEvent(ProcessEvent.builder().pid(7).command("naïve 日本").host(HOST).build())).strip();
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        assertThat(ProcessRecord.read(utf8).event()).isEqualTo(ProcessRecord.parse(line).event());
        assertThat(ProcessRecord.read(utf8).event().orElseThrow().command()).isEqualTo("naïve 日本");
        // The same record in UTF-16 or UTF-32, which Jackson would detect and read, is not a record.
        for (java.nio.charset.Charset other : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, java.nio.charset.Charset.forName("UTF-32"))) {
            assertThatThrownBy(() -> ProcessRecord.read(line.getBytes(other))).as(other.name()).hasMessageStartingWith("not UTF-8 JSON");
        }
        byte[] broken = utf8.clone();
        broken[line.indexOf("na") + 2] = (byte) 0xff; // the ï's first byte: not UTF-8
        assertThatThrownBy(() -> ProcessRecord.read(broken)).hasMessageStartingWith("not one JSON object");
        assertThatThrownBy(() -> ProcessRecord.read(new byte[ProcessRecord.MAX_CHARS + 1])).hasMessageStartingWith("longer than");
        assertThatThrownBy(() -> ProcessRecord.read(new byte[0])).hasMessageStartingWith("not one JSON object");
        assertThatThrownBy(() -> ProcessRecord.read((line + line).getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("not one JSON object");
    }

    /** A record as a monitor writes it, changed by {@code edit}: what a hostile sender could put in the topic. */
    private static String poisoned(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) throws Exception {
        String line = write(sink -> sink.onEvent(ProcessEvent.builder().pid(1).command("a").build())).strip();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(line);
        edit.accept(root);
        return MAPPER.writeValueAsString(root);
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode procmon(com.fasterxml.jackson.databind.node.ObjectNode root) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) root.get("procmon");
    }

    @Test
    void poisonRecordsAreRefusedWithAReasonNeverAnotherException() throws Exception {
        String seqRange = "procmon.seq is not a number from 1 to 2147483647";
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(poisoned(r -> procmon(r).remove("seq")), seqRange);
        cases.put(poisoned(r -> procmon(r).put("seq", 0)), seqRange);
        cases.put(poisoned(r -> procmon(r).put("seq", -5)), seqRange);
        cases.put(poisoned(r -> procmon(r).put("seq", 2_147_483_648L)), seqRange);
        cases.put(poisoned(r -> procmon(r).put("seq", 1.5)), seqRange);
        cases.put(poisoned(r -> procmon(r).put("seq", "7")), seqRange);
        cases.put(poisoned(r -> procmon(r).remove("run")), "procmon.run is not a name of 1 to 255 printable characters");
        cases.put(poisoned(r -> procmon(r).put("run", "x".repeat(256))), "procmon.run is not a name");
        cases.put(poisoned(r -> ((com.fasterxml.jackson.databind.node.ObjectNode) r.get("host")).put("name", "web-1\nforged")),
                "host.name is not a name");
        String valid = poisoned(r -> { });
        cases.put(valid + "\n" + valid, "not one JSON object");
        cases.put(valid + " x", "not one JSON object");
        cases.put("[".repeat(100) + "]".repeat(100), "not one JSON object");
        cases.put("{\"a\":\"" + "x".repeat(ProcessRecord.MAX_CHARS) + "\"}", "longer than 1048576 characters");
        cases.put("{\"procmon\":{\"schema\":" + ProcessRecords.SCHEMA + ",\"run\":\"r\",\"seq\":1,\"type\":\"lost\","
                + "\"lost\":{\"origin\":\"sink\",\"count\":1,\"seqs\":[[5,2]]}}}", "loss notice with a range of seqs");
        cases.put("{\"procmon\":{\"schema\":" + ProcessRecords.SCHEMA + ",\"run\":\"r\",\"seq\":1,\"type\":\"lost\","
                + "\"lost\":{\"origin\":\"sink\",\"count\":1,\"seqs\":[[1,99999999999]]}}}", "loss notice with a range of seqs");
        cases.forEach((text, reason) -> assertThatThrownBy(() -> ProcessRecord.parse(text)).as(text.substring(0, Math.min(80, text.length())))
                .isInstanceOf(ProcessRecord.MalformedRecordException.class).hasMessageContaining(reason));

        // Not poison: a comm that is not procmon's escaped form reads as its own text.
        assertThat(ProcessRecord.parse(poisoned(r -> procmon(r).put("comm", "\\xZZ"))).event().orElseThrow().command()).isEqualTo("\\\\xZZ");
    }

    @Test
    void aRecordIsWrittenBackAsOneCompactLine() throws Exception {
        // Whitespace between tokens is valid JSON: a sender can put a line break, and a forged record on the line after it.
        String forged = poisoned(r -> procmon(r).put("seq", 99));
        String spread = "{\"pad\":\r\n" + forged + "\n," + poisoned(r -> { }).substring(1);
        byte[] bytes = spread.getBytes(StandardCharsets.UTF_8);
        assertThat(ProcessRecord.read(bytes).seq()).isEqualTo(1);
        assertThat(ProcessRecord.line(bytes)).doesNotContain("\n", "\r").isEqualTo(spread.replace('\n', ' ').replace('\r', ' '));
        assertThat(ProcessRecord.parse(ProcessRecord.line(bytes)).seq()).isEqualTo(1);
        // A line break inside a string is not JSON: such a record is refused, never written.
        assertThatThrownBy(() -> ProcessRecord.read(poisoned(r -> procmon(r).put("comm", "a")).replace("\"comm\":\"a\"", "\"comm\":\"a\nb\"")
                .getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("not one JSON object");
        // A name given twice is refused, not read one way or the other.
        assertThatThrownBy(() -> ProcessRecord.parse(poisoned(r -> { }).replace("\"procmon\":{", "\"procmon\":{\"seq\":5,")))
                .hasMessageContaining("Duplicate field 'seq'");
        // Also in what is not read: a nested object, an object in an array, the record itself.
        assertThatThrownBy(() -> ProcessRecord.parse(poisoned(r -> { }).replace("\"procmon\":{", "\"procmon\":{\"x\":{\"a\":1,\"a\":2},")))
                .hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> ProcessRecord.parse(poisoned(r -> { }).replace("\"procmon\":{", "\"procmon\":{\"x\":[0,{\"b\":1,\"c\":[],\"b\":2}],")))
                .hasMessageContaining("Duplicate field 'b'");
        assertThatThrownBy(() -> ProcessRecord.parse(poisoned(r -> { }).replace("{\"process\":{", "{\"host\":7,\"process\":{")))
                .hasMessageContaining("Duplicate field 'host'");
        // Objects of more names than are scanned one by one: distinct names are read, one given twice refused.
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            many.append("\"n").append(i).append("\":").append(i).append(',');
        }
        String wide = poisoned(r -> { }).replace("\"procmon\":{", "\"procmon\":{" + many);
        assertThat(ProcessRecord.parse(wide).seq()).isEqualTo(1);
        for (String twice : List.of("\"n0\":1,", "\"n31\":1,", "\"n32\":1,", "\"n99\":1,")) {
            assertThatThrownBy(() -> ProcessRecord.parse(wide.replace("\"procmon\":{", "\"procmon\":{" + twice)))
                    .as(twice).hasMessageContaining("Duplicate field '" + twice.substring(1, twice.indexOf('"', 1)) + "'");
        }
        // A flag given an object is false, and its members stay inside it (they once were read as the
        // outer object's, so a forged seq there won); found by fuzzing.
        for (String flag : List.of("core_dumped", "started_before_monitoring", "exe_truncated")) {
            ProcessRecord read = ProcessRecord.parse(poisoned(r -> procmon(r).remove(flag))
                    .replace("\"procmon\":{", "\"procmon\":{\"" + flag + "\":{\"seq\":99},"));
            assertThat(read.seq()).as(flag).isEqualTo(1);
        }
        ProcessRecord nested = ProcessRecord.parse(poisoned(r -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) r.get("process")).putArray("command_args").add("a");
            procmon(r).putObject("args").put("bytes", 9);
        }).replace("\"args\":{", "\"args\":{\"missing\":{\"truncated\":true},\"truncated\":[{\"missing\":true}],"));
        assertThat(nested.event().get().arguments()).contains(new Arguments(List.of("a"), false, 9));
        // The same name at two levels, or in two sibling objects, is no duplicate.
        assertThat(ProcessRecord.parse(poisoned(r -> { }).replace("\"procmon\":{", "\"procmon\":{\"x\":{\"seq\":{\"seq\":1}},\"y\":{\"seq\":2},")).seq())
                .isEqualTo(1);

        // What a monitor wrote is written back byte for byte (decimals such as "1.00" included).
        String sent = write(sink -> {
            sink.onEvent(ProcessEvent.builder().pid(7).command("a\"b").execTimeNanos(1_000_000).exitTimeNanos(2_000_000)
                    .clockOffsetNanos(1_700_000_000_000_000_000L).exitCode(256).build());
            sink.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 3));
        });
        for (String line : sent.split("\n")) {
            assertThat(ProcessRecord.line(line.getBytes(StandardCharsets.UTF_8))).isEqualTo(line);
        }
    }

    @Test
    void outputsSharingOneWriterGiveTheSameRecordTheSameNumber() throws Exception {
        ProcessRecords records = new ProcessRecords(HOST, "run-1");
        java.io.StringWriter sink = new java.io.StringWriter();
        JsonGenerator g = JSON.createGenerator(sink);
        ProcessEvent first = ProcessEvent.builder().pid(1).command("a").build();
        ProcessEvent second = ProcessEvent.builder().pid(2).command("b").build();
        LostEvents dispatched = new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 3);
        assertThat(records.writeProcess(g, first)).isEqualTo(1); // the file
        assertThat(records.writeProcess(g, first)).isEqualTo(1); // Kafka, the same event
        assertThat(records.writeLost(g, new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 1), new long[] {9, 9}))
                .as("a sink's own notice").isEqualTo(2);
        assertThat(records.writeLost(g, dispatched)).isEqualTo(3);
        assertThat(records.writeLost(g, dispatched)).isEqualTo(3);
        assertThat(records.writeProcess(g, second)).isEqualTo(4);
        assertThat(records.nextSeq()).isEqualTo(5);
    }

    @Test
    void anEventEncodedForSeveralOutputsIsEncodedOnceWithOneNumber() throws Exception {
        ProcessRecords records = new ProcessRecords(HOST, "run-1");
        ProcessEvent first = ProcessEvent.builder().pid(1).command("a\u00e9\ud83d\ude00").build();
        ProcessEvent second = ProcessEvent.builder().pid(2).command("b").build();
        ProcessRecords.Encoded file = records.encodeProcess(first);
        ProcessRecords.Encoded kafka = records.encodeProcess(first);
        assertThat(kafka).isSameAs(file);
        assertThat(file.seq()).isEqualTo(1);
        // The bytes are the record writeProcess writes, with the same number.
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(written)) {
            assertThat(records.writeProcess(g, first)).isEqualTo(1);
        }
        assertThat(file.utf8()).isEqualTo(written.toByteArray());
        assertThat(ProcessRecord.read(file.utf8()).event().get().command()).isEqualTo("a\u00e9\ud83d\ude00");
        // Another event, another encoding and number; then the first again is a new dispatch.
        ProcessRecords.Encoded next = records.encodeProcess(second);
        assertThat(next.seq()).isEqualTo(2);
        assertThat(ProcessRecord.read(next.utf8()).event().get().pid()).isEqualTo(2);
        assertThat(records.encodeProcess(first).seq()).isEqualTo(3);
        // A notice dispatched in between makes the same event a new dispatch too, as writeProcess numbers it.
        try (JsonGenerator g = JSON.createGenerator(new ByteArrayOutputStream())) {
            assertThat(records.writeLost(g, new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 1))).isEqualTo(4);
        }
        assertThat(records.encodeProcess(first).seq()).isEqualTo(5);
    }
}
