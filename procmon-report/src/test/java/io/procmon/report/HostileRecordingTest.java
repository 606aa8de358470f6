package io.procmon.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import java.io.ByteArrayInputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Recordings made to break the report's reader: each is one {@link Recording.BadInputException}
 * naming its line, with the input's control characters escaped, never another exception.
 */
class HostileRecordingTest {
    private static final String HEADER = "PID,PPID,COMMAND,START_TIME,END_TIME\n";
    private static final String ROW = "1,0,a,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n";

    private static void refused(Reader input, String message) {
        assertThatThrownBy(() -> Recording.read(input)).isInstanceOf(Recording.BadInputException.class).hasMessage(message);
    }

    private static java.io.InputStream strict(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private static void refused(java.io.InputStream input, String message) {
        assertThatThrownBy(() -> Recording.read(input)).isInstanceOf(Recording.BadInputException.class).hasMessage(message);
    }

    @Test
    void timesOutOfRangeOrBackwardsAndDurationsThatAreNotOne() {
        refused(new StringReader(HEADER + ROW + "2,0,b,+1000000000-01-01T00:00:00Z,2026-11-26T10:00:01Z\n"),
                "line 3: START_TIME +1000000000-01-01T00:00:00Z is not between 1970 and 9999");
        refused(new StringReader(HEADER + "2,0,b,2026-11-26T10:00:05Z,2026-11-26T10:00:01Z\n"), "line 2: it ends before it starts");
        for (String nan : new String[] {"NaN", "Infinity", "-1", "1e300"}) {
            refused(new StringReader("PID,PPID,COMMAND,START_TIME,DURATION_MS\n2,0,b,2026-11-26T10:00:00Z," + nan + "\n"),
                    "line 2: DURATION_MS " + nan + " is not a duration");
        }
    }

    @Test
    void anExecAfterItsExitInJsonLines() throws Exception {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            new ProcessRecords(new Host("h", "i"), "r").writeProcess(g, ProcessEvent.builder().pid(3).command("x")
                    .execTimeNanos(9_000_000_000L).exitTimeNanos(1_000_000_000L).clockOffsetNanos(1_700_000_000_000_000_000L).build());
        }
        refused(new StringReader(text + "\n"), "line 1: the process ends before it starts");
    }

    @Test
    void aHugeLineIsRefusedBeforeItIsHeld() {
        refused(new StringReader(HEADER + "1,0," + "x".repeat(50 << 20) + ",2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n"),
                "line 2: longer than 1048576 characters");
        refused(new StringReader("{\"a\":\"" + "x".repeat(2 << 20) + "\"}\n"), "line 1: longer than 1048576 characters");
    }

    @Test
    void bytesThatAreNotUtf8AreNamedByTheirLine() {
        byte[] head = (HEADER + ROW).getBytes(StandardCharsets.UTF_8);
        byte[] bad = "3,0,\u00ff\u00fe,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + bad.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        refused(strict(all), "line 3: not valid UTF-8");
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        Recording r = Recording.read(strict(("\ufeff" + HEADER + ROW).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.processes()).hasSize(1);
    }

    @Test
    void controlCharactersOfTheInputDoNotReachTheMessage() {
        refused(new StringReader(HEADER + "\u001b]0;owned\u0007,0,a,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n"),
                "line 2: For input string: \"\\x1b]0;owned\\x07\"");
    }
}
