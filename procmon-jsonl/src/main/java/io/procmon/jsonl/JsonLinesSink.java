package io.procmon.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.core.BatchedOutput;
import io.procmon.core.BatchedSink;
import io.procmon.core.Formats;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes JSON Lines: one object per line, for {@code jq} and log shippers. A finished process:
 * <pre>{"type":"process","pid":1234,"ppid":1200,"uid":0,"user":"root","command":"bash","duration_ms":1520.34,
 * "exec_time_ns":...,"exit_time_ns":...,"exit_code":0,"signal":null,"core_dumped":false,"parent_at_exit":null,
 * "exe":null,"exe_truncated":false,"started_before_monitoring":false}</pre>
 * and a gap, where events were lost:
 * <pre>{"type":"lost","origin":"kernel_buffer","cpu":0,"count":12}</pre>
 * Lines are written whole and in batches ({@link BatchedOutput}). Not thread-safe.
 */
public final class JsonLinesSink extends BatchedSink {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final JsonGenerator json;

    private JsonLinesSink(BatchedOutput out) {
        super(out);
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

    /** Opens {@code file} (mode 0600 when new; a symbolic link is refused). */
    public static JsonLinesSink open(Path file, BatchedOutput.WriteMode mode) throws IOException {
        return new JsonLinesSink(BatchedOutput.open(file, mode));
    }

    /** Writes to a stream, such as standard output; closed with the sink. */
    public static JsonLinesSink to(OutputStream stream) {
        return new JsonLinesSink(BatchedOutput.of(stream, "output stream"));
    }

    @Override
    public void onEvent(ProcessEvent e) {
        try {
            json.writeStartObject();
            json.writeStringField("type", "process");
            json.writeNumberField("pid", e.pid());
            json.writeNumberField("ppid", e.ppid());
            json.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            json.writeStringField("user", e.userName().orElseGet(() -> Integer.toUnsignedString(e.uid())));
            json.writeStringField("command", e.command());
            json.writeFieldName("duration_ms");
            json.writeNumber(Formats.millis(e.durationNanos()));
            json.writeNumberField("exec_time_ns", e.execTimeNanos());
            json.writeNumberField("exit_time_ns", e.exitTimeNanos());
            optionalInt("exit_code", e.exitStatus());
            optionalInt("signal", e.signal());
            json.writeBooleanField("core_dumped", e.coreDumped());
            optionalInt("parent_at_exit", e.parentAtExit());
            optionalString("exe", e.executable());
            json.writeBooleanField("exe_truncated", e.executableTruncated());
            json.writeBooleanField("started_before_monitoring", e.startedBeforeMonitoring());
            optionalString("start_time", e.startTime().map(Formats::isoMicros));
            optionalString("end_time", e.endTime().map(Formats::isoMicros));
            optionalString("host", e.host().map(io.procmon.core.Host::name));
            optionalString("host_id", e.host().map(io.procmon.core.Host::id).filter(id -> !id.isEmpty()));
            if (e.arguments().isPresent() || e.argumentsMissing()) {
                json.writeFieldName("args");
                if (e.arguments().isPresent()) {
                    json.writeStartArray();
                    for (String arg : e.arguments().get().values()) {
                        json.writeString(arg);
                    }
                    json.writeEndArray();
                    json.writeBooleanField("args_truncated", e.arguments().get().truncated());
                    json.writeNumberField("args_bytes", e.arguments().get().totalBytes());
                } else {
                    json.writeNull();
                }
                json.writeBooleanField("args_missing", e.argumentsMissing());
            }
            if (e.cgroupId() != 0) {
                json.writeNumberField("cgroup_id", e.cgroupId());
                optionalString("cgroup", e.cgroupPath());
                optionalString("container_id", e.container().map(io.procmon.core.Container::id).filter(s -> !s.isEmpty()));
                optionalString("container_runtime", e.container().map(io.procmon.core.Container::runtime).filter(s -> !s.isEmpty()));
                optionalString("pod_uid", e.container().map(io.procmon.core.Container::podUid).filter(s -> !s.isEmpty()));
            }
            json.writeEndObject();
            endLine();
        } catch (IOException ex) {
            throw new AssertionError("writes to memory cannot fail", ex);
        }
    }

    @Override
    public void onLost(LostEvents lost) {
        try {
            json.writeStartObject();
            json.writeStringField("type", "lost");
            json.writeStringField("origin", lost.origin().name().toLowerCase(Locale.ROOT));
            optionalInt("cpu", lost.cpu() == LostEvents.NO_CPU ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(lost.cpu()));
            json.writeNumberField("count", lost.count());
            json.writeEndObject();
            endLine();
        } catch (IOException ex) {
            throw new AssertionError("writes to memory cannot fail", ex);
        }
    }

    private void optionalString(String name, java.util.Optional<String> value) throws IOException {
        json.writeFieldName(name);
        if (value.isPresent()) {
            json.writeString(value.get());
        } else {
            json.writeNull();
        }
    }

    private void optionalInt(String name, java.util.OptionalInt value) throws IOException {
        json.writeFieldName(name);
        if (value.isPresent()) {
            json.writeNumber(value.getAsInt());
        } else {
            json.writeNull();
        }
    }

    private void endLine() throws IOException {
        json.writeRaw('\n');
        json.flush(); // into the batch buffer, not to the file
        out.recordsAdded();
    }
}
