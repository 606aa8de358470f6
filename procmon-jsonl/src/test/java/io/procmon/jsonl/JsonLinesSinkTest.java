package io.procmon.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.core.BatchedOutput;
import io.procmon.core.CommandNames;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<JsonNode> parse(String text) throws Exception {
        assertThat(text).endsWith("\n");
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }

    @Test
    void oneObjectPerProcessWithEveryField() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = JsonLinesSink.to(out)) {
            sink.onEvent(ProcessEvent.builder().pid(1234).ppid(1200).uid(0).command("bash").execTimeNanos(1_000)
                    .exitTimeNanos(1_000 + 1_520_340_000L).exitCode(3 << 8).executable("/usr/bin/bash").build()
                    .withUserName("root"));
            sink.onEvent(ProcessEvent.builder().pid(7).ppid(1).parentAtExit(1).uid(1000).command("sleep").exitCode(9)
                    .startedBeforeMonitoring(true).build());
        }
        List<JsonNode> lines = parse(out.toString(StandardCharsets.UTF_8));
        assertThat(lines).hasSize(2);
        JsonNode bash = lines.get(0);
        assertThat(bash.get("type").asText()).isEqualTo("process");
        assertThat(bash.get("pid").asInt()).isEqualTo(1234);
        assertThat(bash.get("ppid").asInt()).isEqualTo(1200);
        assertThat(bash.get("user").asText()).isEqualTo("root");
        assertThat(bash.get("duration_ms").decimalValue()).isEqualByComparingTo("1520.34");
        assertThat(bash.get("exit_code").asInt()).isEqualTo(3);
        assertThat(bash.get("signal").isNull()).isTrue();
        assertThat(bash.get("exe").asText()).isEqualTo("/usr/bin/bash");
        assertThat(bash.get("started_before_monitoring").asBoolean()).isFalse();
        JsonNode sleep = lines.get(1);
        assertThat(sleep.get("signal").asInt()).isEqualTo(9);
        assertThat(sleep.get("exit_code").isNull()).isTrue();
        assertThat(sleep.get("user").asText()).isEqualTo("1000");
        assertThat(sleep.get("exe").isNull()).isTrue();
        assertThat(sleep.get("started_before_monitoring").asBoolean()).isTrue();
        assertThat(sleep.get("parent_at_exit").isNull()).isTrue(); // same as ppid
    }

    @Test
    void wallClockHostCgroupContainerAndArgumentsWhenRecorded() throws Exception {
        String id = "ab12".repeat(16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = JsonLinesSink.to(out)) {
            sink.onEvent(ProcessEvent.builder().pid(5).command("sh").execTimeNanos(5_123_456_789L).exitTimeNanos(6_000_000_000L)
                    .clockOffsetNanos(java.time.Instant.parse("2026-11-26T13:04:00Z").getEpochSecond() * 1_000_000_000L)
                    .host(new io.procmon.core.Host("edge-7", "0123abcd"))
                    .cgroup(77, "/system.slice/docker-" + id + ".scope")
                    .arguments(new io.procmon.core.Arguments(List.of("sh", "-c", "x\\xff"), true, 4000)).build());
            sink.onEvent(ProcessEvent.builder().pid(6).command("lost").argumentsMissing().build());
        }
        List<JsonNode> lines = parse(out.toString(StandardCharsets.UTF_8));
        JsonNode e = lines.get(0);
        assertThat(e.get("start_time").asText()).isEqualTo("2026-11-26T13:04:05.123456Z");
        assertThat(e.get("end_time").asText()).isEqualTo("2026-11-26T13:04:06.000000Z");
        assertThat(e.get("host").asText()).isEqualTo("edge-7");
        assertThat(e.get("host_id").asText()).isEqualTo("0123abcd");
        assertThat(e.get("cgroup_id").asLong()).isEqualTo(77);
        assertThat(e.get("cgroup").asText()).isEqualTo("/system.slice/docker-" + id + ".scope");
        assertThat(e.get("container_id").asText()).isEqualTo(id);
        assertThat(e.get("container_runtime").asText()).isEqualTo("docker");
        assertThat(e.get("pod_uid").isNull()).isTrue();
        assertThat(e.get("args")).extracting(JsonNode::asText).containsExactly("sh", "-c", "x\\xff");
        assertThat(e.get("args_truncated").asBoolean()).isTrue();
        assertThat(e.get("args_bytes").asLong()).isEqualTo(4000);
        assertThat(e.get("args_missing").asBoolean()).isFalse();
        JsonNode lost = lines.get(1);
        assertThat(lost.get("args").isNull()).isTrue();
        assertThat(lost.get("args_missing").asBoolean()).isTrue();
        assertThat(lost.has("cgroup_id")).as("cgroups not recorded: no fields").isFalse();
        assertThat(lost.get("start_time").isNull()).isTrue();
    }

    @Test
    void lossesBecomeGapRecords() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = JsonLinesSink.to(out)) {
            sink.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 12));
            sink.onLost(new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, LostEvents.NO_CPU, 3));
        }
        List<JsonNode> lines = parse(out.toString(StandardCharsets.UTF_8));
        assertThat(lines.get(0).toString()).isEqualTo("{\"type\":\"lost\",\"origin\":\"kernel_buffer\",\"cpu\":1,\"count\":12}");
        assertThat(lines.get(1).toString()).isEqualTo("{\"type\":\"lost\",\"origin\":\"dispatch_queue\",\"cpu\":null,\"count\":3}");
    }

    @Test
    void hostileNamesRoundTrip(@TempDir Path dir) throws Exception {
        List<byte[]> names = List.of("a\"b\\c".getBytes(StandardCharsets.UTF_8), "new\nline\ttab\r".getBytes(StandardCharsets.UTF_8),
                "日本語".getBytes(StandardCharsets.UTF_8), new byte[] {1, 0x1b, (byte) 0xff, 'x'});
        Path file = dir.resolve("out.jsonl");
        try (JsonLinesSink sink = JsonLinesSink.open(file, BatchedOutput.WriteMode.TRUNCATE)) {
            for (int i = 0; i < names.size(); i++) {
                sink.onEvent(ProcessEvent.builder().pid(i).commandBytes(names.get(i)).build());
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        List<JsonNode> lines = parse(Files.readString(file));
        for (int i = 0; i < names.size(); i++) {
            assertThat(CommandNames.encode(lines.get(i).get("command").asText())).isEqualTo(names.get(i));
        }
    }
}
