package io.procmon.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.procmon.core.Container;
import io.procmon.core.Formats;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.io.IOException;

/**
 * procmon's JSON record, shared by JSON Lines and Kafka. Field names follow the OpenTelemetry
 * semantic conventions, written as nested objects ({@code process.pid} is {@code {"process":{"pid":..}}});
 * procmon's own fields are under {@code procmon}. Every record carries {@code procmon.schema},
 * {@code procmon.run} (one id per monitor run) and {@code procmon.seq} (1, 2, 3... per run, one per
 * record, loss notices included), so a consumer sees gaps and duplicates. Absent values are left out.
 *
 * <p>A writer numbers the records it writes. One writer serves every output of a run (the file and
 * Kafka alike), so one (run, seq) pair names one record everywhere: an event or notice the monitor
 * hands to several sinks in turn keeps the number the first of them gave it. Not thread-safe: the
 * sinks sharing one call it from the monitor's dispatch thread.
 */
public final class ProcessRecords {
    /** Version of the layout below; bumped on an incompatible change. */
    public static final int SCHEMA = 1;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Host host;
    private final String run;
    private long seq;
    /** The event or notice numbered last, by identity, and its number: the next sink writing it gets the same. */
    private Object lastDispatched;
    private long lastDispatchedSeq;
    private final ByteArrayBuilder encoding = new ByteArrayBuilder(2048);
    /** The event encoded last, by identity, and its record: the next sink writing it gets the same bytes. */
    private ProcessEvent lastEncoded;
    private Encoded lastEncodedRecord;

    /**
     * A record as UTF-8 JSON text (one object, no line end) and its number.
     *
     * @param utf8 shared by every sink that writes the record: read it, never change it
     */
    public record Encoded(long seq, byte[] utf8) {
    }

    /**
     * @param host the host written into loss notices (process records carry their own, when set)
     * @param run this monitor run's id
     */
    public ProcessRecords(Host host, String run) {
        this.host = host;
        this.run = run;
    }

    /** A writer for this machine, with a fresh run id. */
    public static ProcessRecords forLocalRun(Host host) {
        return new ProcessRecords(host, java.util.UUID.randomUUID().toString());
    }

    /** The sequence number the next record gets. */
    public long nextSeq() {
        return seq + 1;
    }

    public String run() {
        return run;
    }

    public Host host() {
        return host;
    }

    /**
     * The process record of {@code e} as UTF-8 JSON, numbered as {@link #writeProcess} numbers it.
     * Sinks that write the same event in turn (a file and Kafka) get the one encoding: each record is
     * made once, however many outputs it goes to.
     */
    public Encoded encodeProcess(ProcessEvent e) {
        if (e != lastEncoded || e != lastDispatched) { // a new dispatch gets a new number, as in writeProcess
            encoding.reset();
            long number;
            try (JsonGenerator g = JSON.createGenerator(encoding)) {
                number = writeProcess(g, e);
            } catch (IOException ex) {
                throw new AssertionError("writes to memory cannot fail", ex);
            }
            lastEncodedRecord = new Encoded(number, encoding.toByteArray());
            lastEncoded = e;
        }
        return lastEncodedRecord;
    }

    /** Writes one process record (an object, without a line end); returns its number. */
    public long writeProcess(JsonGenerator json, ProcessEvent e) throws IOException {
        long number = numberOf(e);
        json.writeStartObject();
        json.writeObjectFieldStart("process");
        json.writeNumberField("pid", e.pid());
        json.writeNumberField("parent_pid", e.ppid());
        String entity = e.entityId().orElse(null); // no capturing lambdas: this runs for every record
        if (entity != null) {
            json.writeStringField("entity_id", entity);
        }
        String parentEntity = e.parentEntityId().orElse(null);
        if (parentEntity != null) {
            json.writeObjectFieldStart("parent");
            json.writeStringField("entity_id", parentEntity);
            json.writeEndObject();
        }
        if (e.executable().isPresent()) {
            json.writeObjectFieldStart("executable");
            String path = e.executable().get();
            json.writeStringField("path", path);
            if (!e.executableTruncated()) {
                json.writeStringField("name", path.substring(path.lastIndexOf('/') + 1));
            }
            json.writeEndObject();
        }
        if (e.arguments().isPresent()) {
            json.writeArrayFieldStart("command_args");
            for (String arg : e.arguments().get().values()) {
                json.writeString(arg);
            }
            json.writeEndArray();
        }
        json.writeObjectFieldStart("real_user");
        json.writeNumberField("id", Integer.toUnsignedLong(e.uid()));
        if (e.userName().isPresent()) {
            json.writeStringField("name", e.userName().get());
        }
        json.writeEndObject();
        if (e.effectiveUid().isPresent()) {
            json.writeObjectFieldStart("user");
            json.writeNumberField("id", Integer.toUnsignedLong(e.effectiveUid().getAsInt()));
            json.writeEndObject();
        }
        if (e.loginUid().isPresent() || e.sessionId().isPresent()) {
            json.writeObjectFieldStart("audit");
            if (e.loginUid().isPresent()) {
                json.writeNumberField("login_uid", Integer.toUnsignedLong(e.loginUid().getAsInt()));
            }
            if (e.sessionId().isPresent()) {
                json.writeNumberField("session_id", Integer.toUnsignedLong(e.sessionId().getAsInt()));
            }
            json.writeEndObject();
        }
        if (e.tty().isPresent()) {
            json.writeObjectFieldStart("tty");
            json.writeStringField("name", e.tty().get());
            json.writeEndObject();
        }
        if (e.startTime().isPresent()) {
            json.writeObjectFieldStart("creation");
            json.writeStringField("time", Formats.isoMicros(e.startTime().get()));
            json.writeEndObject();
        }
        boolean ended = e.kind() == ProcessEvent.Kind.EXIT;
        if (ended) {
            json.writeObjectFieldStart("exit");
            if (e.endTime().isPresent()) {
                json.writeStringField("time", Formats.isoMicros(e.endTime().get()));
            }
            if (e.exitStatus().isPresent()) {
                json.writeNumberField("code", e.exitStatus().getAsInt());
            }
            json.writeEndObject();
        }
        if (e.cgroupPath().isPresent()) {
            json.writeObjectFieldStart("linux");
            json.writeStringField("cgroup", e.cgroupPath().get());
            json.writeEndObject();
        }
        json.writeEndObject();
        writeHost(json, e.host().orElse(host));
        if (e.container().isPresent()) {
            Container c = e.container().get();
            json.writeObjectFieldStart("container");
            optional(json, "id", c.id());
            optional(json, "runtime", c.runtime());
            json.writeEndObject();
            if (!c.podUid().isEmpty()) {
                json.writeObjectFieldStart("k8s");
                json.writeObjectFieldStart("pod");
                json.writeStringField("uid", c.podUid());
                json.writeEndObject();
                json.writeEndObject();
            }
        }
        startProcmon(json, typeOf(e.kind()), number);
        json.writeStringField("comm", e.command());
        if (ended) {
            json.writeFieldName("duration_ms");
            json.writeNumber(Formats.millis(e.durationNanos()));
            if (e.signal().isPresent()) {
                json.writeNumberField("signal", e.signal().getAsInt());
            }
            json.writeBooleanField("core_dumped", e.coreDumped());
        }
        if (e.parentAtExit().isPresent()) {
            json.writeNumberField("parent_at_exit", e.parentAtExit().getAsInt());
        }
        json.writeBooleanField("started_before_monitoring", e.startedBeforeMonitoring());
        if (e.executable().isPresent()) {
            json.writeBooleanField("exe_truncated", e.executableTruncated());
        }
        if (e.arguments().isPresent() || e.argumentsMissing()) {
            json.writeObjectFieldStart("args");
            json.writeBooleanField("missing", e.argumentsMissing());
            if (e.arguments().isPresent()) {
                json.writeBooleanField("truncated", e.arguments().get().truncated());
                json.writeNumberField("bytes", e.arguments().get().totalBytes());
            }
            json.writeEndObject();
        }
        if (e.cgroupId() != 0) {
            json.writeNumberField("cgroup_id", e.cgroupId());
        }
        json.writeObjectFieldStart("kernel");
        json.writeNumberField("exec_ns", e.execTimeNanos());
        if (ended) {
            json.writeNumberField("exit_ns", e.exitTimeNanos());
        }
        if (e.taskStartNanos() != 0) {
            json.writeNumberField("start_ns", e.taskStartNanos());
        }
        if (e.parentStartNanos() != 0) {
            json.writeNumberField("parent_start_ns", e.parentStartNanos());
        }
        if (e.clockOffsetNanos() != ProcessEvent.CLOCK_OFFSET_UNKNOWN) {
            json.writeNumberField("clock_offset_ns", e.clockOffsetNanos());
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndObject();
        return number;
    }

    /** {@code procmon.type}: {@code process} for a process that ended (the first type, kept), {@code exec}, {@code running}. */
    static String typeOf(ProcessEvent.Kind kind) {
        return kind == ProcessEvent.Kind.EXIT ? "process" : kind.label();
    }

    /** Writes one loss notice the monitor dispatched (an object, without a line end); returns its number. */
    public long writeLost(JsonGenerator json, LostEvents lost) throws IOException {
        long number = numberOf(lost);
        writeLost(json, lost, null, number);
        return number;
    }

    /**
     * Writes a loss notice that also says which records of this run it announces, as inclusive
     * ranges of sequence numbers {@code [from1, to1, from2, to2...]} ({@code procmon.lost.seqs}).
     */
    public long writeLost(JsonGenerator json, LostEvents lost, long[] seqRanges) throws IOException {
        long number = ++seq; // a sink's own notice: in its output alone
        writeLost(json, lost, seqRanges, number);
        return number;
    }

    private long numberOf(Object dispatched) {
        if (dispatched != lastDispatched) {
            lastDispatched = dispatched;
            lastDispatchedSeq = ++seq;
        }
        return lastDispatchedSeq;
    }

    private void writeLost(JsonGenerator json, LostEvents lost, long[] seqRanges, long number) throws IOException {
        json.writeStartObject();
        writeHost(json, host);
        startProcmon(json, "lost", number);
        json.writeObjectFieldStart("lost");
        json.writeStringField("origin", lost.origin().label());
        if (lost.cpu() != LostEvents.NO_CPU) {
            json.writeNumberField("cpu", lost.cpu());
        }
        json.writeNumberField("count", lost.count());
        if (seqRanges != null) {
            json.writeArrayFieldStart("seqs");
            for (int i = 0; i + 1 < seqRanges.length; i += 2) {
                json.writeStartArray();
                json.writeNumber(seqRanges[i]);
                json.writeNumber(seqRanges[i + 1]);
                json.writeEndArray();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndObject();
    }

    private void startProcmon(JsonGenerator json, String type, long number) throws IOException {
        json.writeObjectFieldStart("procmon");
        json.writeNumberField("schema", SCHEMA);
        json.writeStringField("run", run);
        json.writeNumberField("seq", number);
        json.writeStringField("type", type);
    }

    private static void writeHost(JsonGenerator json, Host h) throws IOException {
        if (h == null) {
            return;
        }
        json.writeObjectFieldStart("host");
        json.writeStringField("name", h.name());
        optional(json, "id", h.id());
        json.writeEndObject();
    }

    private static void optional(JsonGenerator json, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            json.writeStringField(name, value);
        }
    }
}
