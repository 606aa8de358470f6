package io.procmon.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.core.CommandNames;
import io.procmon.core.ProcessEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSinkTest {
    @TempDir
    Path dir;

    private static ProcessEvent event(int pid, byte[] comm, long durationNanos) {
        return ProcessEvent.builder().pid(pid).ppid(1200).uid(0).commandBytes(comm)
                .execTimeNanos(1_000_000).exitTimeNanos(1_000_000 + durationNanos).build().withUserName("root");
    }

    private static List<CSVRecord> parse(String csv) throws IOException {
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }

    @Test
    void writesTheOriginalFormatExactly() throws IOException {
        Path file = dir.resolve("process_events.csv");
        try (CsvSink sink = CsvSink.open(file, CsvSink.WriteMode.TRUNCATE)) {
            sink.onEvent(event(1234, "bash".getBytes(StandardCharsets.US_ASCII), 1_520_340_000L));
        }
        assertThat(Files.readString(file)).isEqualTo("PID,PPID,USER,COMMAND,DURATION_MS\n1234,1200,root,bash,1520.34\n");
    }

    @Test
    void cellsWrittenWithoutThePrinterAreWhatThePrinterWrites() throws IOException {
        List<String> values = List.of("true", "cmp-true", "a.b_c:d/e+f-g", "1.00", "0", "12345", "x", "Z9", "-1", "-cmd",
                "+cmd", "=1", "#hash", "", " x", "x ", "a,b", "a\"b", "a\nb", "naïve", "日本", "a b", "\t", ".hidden", "_x");
        for (String v : values) {
            StringBuilder viaPrinter = new StringBuilder();
            new org.apache.commons.csv.CSVPrinter(viaPrinter, CsvSink.FORMAT).printRecord(v, v);
            if (CsvSink.plain(v)) {
                assertThat(viaPrinter).as("%s", v).hasToString(v + "," + v + "\n");
            }
        }
        assertThat(values.stream().filter(CsvSink::plain)).contains("true", "cmp-true", "a.b_c:d/e+f-g", "1.00", "12345")
                .doesNotContain("-1", "", " x", "x ", "a,b", "naïve", "a b", ".hidden", "#hash");
    }

    @Test
    void hostileNamesParseBackToTheExactBytes() throws IOException {
        List<byte[]> names = new ArrayList<>();
        for (String s : List.of("a,b", "\"quoted\"", "new\nline", "cr\rlf\r\n", "tab\tx", " leading", "trailing ",
                "=1+1", "+cmd", "-cmd", "@SUM(A1)", "naïve", "日本語", "back\\slash", "#hash", ",")) {
            names.add(s.getBytes(StandardCharsets.UTF_8));
        }
        names.add(new byte[] {'x', (byte) 0xff, (byte) 0xfe, 'y'});
        names.add(new byte[] {(byte) 0xe6, (byte) 0x97, (byte) 0xa5, (byte) 0xe6, (byte) 0x97}); // cut mid-character
        names.add(new byte[] {1, 2, 0x1b, '[', '3', '1', 'm'});
        names.add("\u001b]0;owned\u0007".getBytes(StandardCharsets.UTF_8)); // sets a terminal's title
        names.add("\u202egnp.exe".getBytes(StandardCharsets.UTF_8)); // shown reversed

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvSink sink = CsvSink.to(out)) {
            for (int i = 0; i < names.size(); i++) {
                sink.onEvent(event(100 + i, names.get(i), 1_000_000));
            }
        }
        // Safe on a terminal: one row per line, and no cell holds a character that acts instead of showing.
        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written.lines()).hasSize(names.size() + 1).noneMatch(CommandNames::hasControl);

        List<CSVRecord> records = parse(out.toString(StandardCharsets.UTF_8));
        assertThat(records.get(0).values()).containsExactlyElementsOf(CsvSink.HEADER);
        assertThat(records).hasSize(names.size() + 1);
        for (int i = 0; i < names.size(); i++) {
            CSVRecord row = records.get(i + 1);
            assertThat(row.size()).isEqualTo(5);
            assertThat(row.get(0)).isEqualTo(Integer.toString(100 + i));
            assertThat(CommandNames.encode(row.get(3))).as("row %d", i).isEqualTo(names.get(i));
            assertThat(row.get(4)).isEqualTo("1.00");
        }
    }

    @Test
    void rowsAreBatchedAndOnlyWholeRowsAreWritten() throws IOException {
        List<byte[]> writes = new ArrayList<>();
        OutputStream recorder = new OutputStream() {
            @Override
            public void write(int b) {
                writes.add(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        CsvSink sink = CsvSink.to(recorder);
        int headerWrites = writes.size();
        sink.onEvent(event(1, "one".getBytes(StandardCharsets.US_ASCII), 0));
        assertThat(writes).as("a row waits for flush").hasSize(headerWrites);
        sink.flush();
        assertThat(writes).hasSize(headerWrites + 1);

        for (int pid = 2; pid <= 20_000; pid++) {
            sink.onEvent(event(pid, "multi\nline,name".getBytes(StandardCharsets.US_ASCII), 123_456));
        }
        sink.close();

        assertThat(writes.size()).as("20,000 rows in a few dozen writes").isLessThan(100);
        for (byte[] write : writes) {
            String chunk = new String(write, StandardCharsets.UTF_8);
            assertThat(chunk).endsWith("\n");
            assertThat(parse(chunk)).allSatisfy(r -> assertThat(r.size()).isEqualTo(5));
        }
        sink.close(); // idempotent
    }

    @Test
    void newFileIsPrivateAndSymlinksAreRefused() throws IOException {
        Path file = dir.resolve("out.csv");
        CsvSink.open(file, CsvSink.WriteMode.TRUNCATE).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious");
        Path link = dir.resolve("planted.csv");
        Files.createSymbolicLink(link, victim);

        assertThatThrownBy(() -> CsvSink.open(link, CsvSink.WriteMode.TRUNCATE))
                .isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
        assertThat(Files.readString(victim)).isEqualTo("precious");
    }

    @Test
    void appendWritesTheHeaderOnlyOnce() throws IOException {
        Path file = dir.resolve("append.csv");
        for (int run = 0; run < 2; run++) {
            try (CsvSink sink = CsvSink.open(file, CsvSink.WriteMode.APPEND)) {
                sink.onEvent(event(run, "x".getBytes(StandardCharsets.US_ASCII), 0));
            }
        }
        assertThat(Files.readAllLines(file)).containsExactly(String.join(",", CsvSink.HEADER), "0,1200,root,x,0.00",
                "1,1200,root,x,0.00");

        try (CsvSink sink = CsvSink.open(file, CsvSink.WriteMode.TRUNCATE)) {
            assertThat(sink.rowsWritten()).isZero();
        }
        assertThat(Files.readAllLines(file)).containsExactly(String.join(",", CsvSink.HEADER));
    }

    @Test
    void reopenAfterRotationStartsTheNewFileWithItsHeaderAndLosesNoRow() throws IOException {
        Path file = dir.resolve("rotated.csv");
        Path rotated = dir.resolve("rotated.csv.1");
        String header = String.join(",", CsvSink.HEADER);
        try (CsvSink sink = CsvSink.open(file, CsvSink.WriteMode.APPEND)) {
            sink.onEvent(event(1, "a".getBytes(StandardCharsets.US_ASCII), 0));
            Files.move(file, rotated); // logrotate's rename: the sink still writes to the moved file
            sink.onEvent(event(2, "b".getBytes(StandardCharsets.US_ASCII), 0));
            sink.reopen();
            sink.onEvent(event(3, "c".getBytes(StandardCharsets.US_ASCII), 0));
            sink.flush();
            // copytruncate: the same file emptied; the next row goes to its start, after a header
            Files.write(file, new byte[0], java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            sink.reopen();
            sink.onEvent(event(4, "d".getBytes(StandardCharsets.US_ASCII), 0));
            sink.reopen(); // a reopen with nothing rotated changes nothing
            sink.onEvent(event(5, "e".getBytes(StandardCharsets.US_ASCII), 0));
        }
        assertThat(Files.readAllLines(rotated)).containsExactly(header, "1,1200,root,a,0.00", "2,1200,root,b,0.00");
        assertThat(Files.readAllLines(file)).containsExactly(header, "4,1200,root,d,0.00", "5,1200,root,e,0.00");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void reopenOfAStreamChangesNothing() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvSink sink = CsvSink.to(out)) {
            sink.onEvent(event(1, "a".getBytes(StandardCharsets.US_ASCII), 0));
            sink.reopen();
            sink.onEvent(event(2, "b".getBytes(StandardCharsets.US_ASCII), 0));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(String.join(",", CsvSink.HEADER)
                + "\n1,1200,root,a,0.00\n2,1200,root,b,0.00\n");
    }

    @Test
    void unknownUserShowsTheUid() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvSink sink = CsvSink.to(out)) {
            sink.onEvent(ProcessEvent.builder().pid(5).ppid(1).uid(4321).command("x").build());
        }
        assertThat(parse(out.toString(StandardCharsets.UTF_8)).get(1).get(2)).isEqualTo("4321");
    }
}
