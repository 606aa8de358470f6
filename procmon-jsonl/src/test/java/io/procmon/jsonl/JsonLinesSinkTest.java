package io.procmon.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.BatchedOutput;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecord;
import io.procmon.schema.ProcessRecords;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
    private static final Host HOST = new Host("edge-7", "0123abcd");

    private static String write(java.util.function.Consumer<JsonLinesSink> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = JsonLinesSink.to(out, new ProcessRecords(HOST, "run-1"))) {
            body.accept(sink);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneRecordPerLineNumberedInTheOrderReceived() throws Exception {
        String text = write(sink -> {
            sink.onEvent(ProcessEvent.builder().pid(1).command("a").build());
            sink.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 4));
            sink.onEvent(ProcessEvent.builder().pid(2).command("b").build());
        });
        String[] lines = text.split("\n");
        assertThat(lines).hasSize(3);
        for (int i = 0; i < lines.length; i++) {
            assertThat(ProcessRecord.parse(lines[i]).seq()).isEqualTo(i + 1);
        }
        assertThat(ProcessRecord.parse(lines[1]).lost()).contains(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 4));
        assertThat(ProcessRecord.parse(lines[2]).event().orElseThrow().pid()).isEqualTo(2);
    }

    @Test
    void batchesOfEncodedRecordsAndNoticesAreWrittenWholeAndInOrder() throws Exception {
        // Records go in as UTF-8 bytes, notices as text: each batch keeps their order, and ends with a whole line.
        List<byte[]> writes = new java.util.ArrayList<>();
        java.io.OutputStream out = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("one write call per batch");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        try (JsonLinesSink sink = JsonLinesSink.to(out, new ProcessRecords(HOST, "run-1"))) {
            for (int i = 0; i < 2_000; i++) {
                if (i % 7 == 3) {
                    sink.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, i));
                } else {
                    sink.onEvent(ProcessEvent.builder().pid(i).command("c\u00e9" + i).userName("\u00fc".repeat(40)).build());
                }
            }
        }
        assertThat(writes).hasSizeGreaterThan(2);
        StringBuilder all = new StringBuilder();
        for (byte[] batch : writes) {
            assertThat(batch.length).isLessThanOrEqualTo(72 * 1024);
            assertThat(batch[batch.length - 1]).isEqualTo((byte) '\n');
            all.append(new String(batch, StandardCharsets.UTF_8));
        }
        String[] lines = all.toString().split("\n");
        assertThat(lines).hasSize(2_000);
        for (int i = 0; i < lines.length; i++) {
            ProcessRecord r = ProcessRecord.parse(lines[i]);
            assertThat(r.seq()).isEqualTo(i + 1);
            if (i % 7 == 3) {
                assertThat(r.lost().orElseThrow().count()).isEqualTo(i);
            } else {
                assertThat(r.event().orElseThrow().command()).isEqualTo("c\u00e9" + i);
            }
        }
    }

    @Test
    void reopenAfterRotationContinuesTheSequenceInTheNewFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        Path rotated = dir.resolve("out.jsonl.1");
        try (JsonLinesSink sink = JsonLinesSink.open(file, BatchedOutput.WriteMode.APPEND)) {
            sink.onEvent(ProcessEvent.builder().pid(1).command("a").build());
            Files.move(file, rotated);
            sink.onEvent(ProcessEvent.builder().pid(2).command("b").build());
            sink.reopen();
            sink.onEvent(ProcessEvent.builder().pid(3).command("c").build());
        }
        List<String> old = Files.readAllLines(rotated, StandardCharsets.UTF_8);
        List<String> now = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(old).hasSize(2);
        assertThat(now).hasSize(1);
        assertThat(ProcessRecord.parse(old.get(1)).seq()).isEqualTo(2);
        assertThat(ProcessRecord.parse(now.get(0)).seq()).isEqualTo(3); // a reader sees no gap across the files
        assertThat(ProcessRecord.parse(now.get(0)).run()).isEqualTo(ProcessRecord.parse(old.get(0)).run());
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
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(names.size());
        for (int i = 0; i < names.size(); i++) {
            assertThat(ProcessRecord.parse(lines.get(i)).event().orElseThrow().commandBytes()).isEqualTo(names.get(i));
        }
    }
}
