package io.procmon.jsonl;

import io.procmon.schema.ProcessRecords;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.core.BatchedOutput;
import io.procmon.core.BatchedSink;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Writes JSON Lines: one {@link ProcessRecords} object per line (OpenTelemetry names, nested:
 * {@code jq .process.pid}), for a finished process and for a gap where events were lost. Lines are
 * written whole and in batches ({@link BatchedOutput}). Not thread-safe.
 */
public final class JsonLinesSink extends BatchedSink {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final JsonGenerator json;
    private final ProcessRecords records;

    private JsonLinesSink(BatchedOutput out, ProcessRecords records) {
        super(out);
        this.records = records;
        StringBuilder buffer = out.buffer();
        Writer writer = new Writer() {
            @Override
            public void write(char[] chars, int off, int len) {
                buffer.append(chars, off, len);
            }

            @Override
            public void write(String s, int off, int len) {
                buffer.append(s, off, off + len);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        try {
            this.json = JSON.createGenerator(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens {@code file} (mode 0600 when new; a symbolic link is refused); records numbered in a new run of this host. */
    public static JsonLinesSink open(Path file, BatchedOutput.WriteMode mode) throws IOException {
        return open(file, mode, ProcessRecords.forLocalRun(Host.local()));
    }

    /** Opens {@code file}, numbering records with {@code records}. */
    public static JsonLinesSink open(Path file, BatchedOutput.WriteMode mode, ProcessRecords records) throws IOException {
        return new JsonLinesSink(BatchedOutput.open(file, mode), records);
    }

    /** Writes to a stream, such as standard output; closed with the sink. */
    public static JsonLinesSink to(OutputStream stream) {
        return to(stream, ProcessRecords.forLocalRun(Host.local()));
    }

    /** Writes to a stream, numbering records with {@code records}; closed with the sink. */
    public static JsonLinesSink to(OutputStream stream, ProcessRecords records) {
        return new JsonLinesSink(BatchedOutput.of(stream, "output stream"), records);
    }

    @Override
    public void onEvent(ProcessEvent e) {
        out.appendLine(records.encodeProcess(e).utf8()); // encoded once for every output of the run
    }

    @Override
    public void onLost(LostEvents lost) {
        try {
            records.writeLost(json, lost);
            endLine();
        } catch (IOException ex) {
            throw new AssertionError("writes to memory cannot fail", ex);
        }
    }

    private void endLine() throws IOException {
        json.writeRaw('\n');
        json.flush(); // into the batch buffer, not to the file
        out.recordsAdded();
    }
}
