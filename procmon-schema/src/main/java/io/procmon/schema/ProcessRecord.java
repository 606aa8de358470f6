package io.procmon.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.procmon.core.Arguments;
import io.procmon.core.CommandNames;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One record of {@link ProcessRecords}' schema, read back: a process or a loss notice, with where
 * and in which run it was recorded.
 *
 * @param host the host that recorded it (empty name when the record has none)
 * @param run the monitor run's id
 * @param seq the record's number in its run
 * @param event the process, for a process record
 * @param lost the notice, for a loss notice
 * @param lostSeqs for a notice of records a sink dropped, their sequence numbers as inclusive ranges
 *     {@code [from1, to1, ...]}; empty otherwise
 */
public record ProcessRecord(Host host, String run, long seq, Optional<ProcessEvent> event, Optional<LostEvents> lost,
        long[] lostSeqs) {
    /**
     * The longest record read, in characters: a record of 32 KiB of arguments, every byte escaped,
     * is about 200 KB. Longer input is refused before it is parsed.
     */
    public static final int MAX_CHARS = 1 << 20;
    /** Host names, run ids: as long as any a monitor writes, and no longer. */
    private static final int MAX_NAME_CHARS = 255;
    /** Ranges in one loss notice's {@code seqs}. */
    private static final int MAX_LOST_RANGES = 65_536;
    private static final java.util.regex.Pattern ENTITY_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_CHARS).maxNestingDepth(16).maxNumberLength(32).build())
            .build();

    /** Thrown for text that is not a record of a schema this version reads. */
    public static final class MalformedRecordException extends Exception {
        public MalformedRecordException(String message) {
            super(message);
        }
    }

    /** Parses one JSON object written by {@link ProcessRecords}. */
    public static ProcessRecord parse(String json) throws MalformedRecordException {
        if (json.length() > MAX_CHARS) {
            throw new MalformedRecordException("longer than " + MAX_CHARS + " characters");
        }
        return read(() -> FACTORY.createParser(json));
    }

    /**
     * As {@link #parse(String)}, from the UTF-8 bytes a record travels in, without making a text of
     * it first (a collector's hottest path). Bytes that are not UTF-8 are refused.
     */
    public static ProcessRecord read(byte[] utf8) throws MalformedRecordException {
        if (utf8.length > MAX_CHARS) {
            throw new MalformedRecordException("longer than " + MAX_CHARS + " bytes");
        }
        // Jackson takes NUL bytes among the first four for UTF-16 or UTF-32; UTF-8 JSON has none there.
        for (int i = 0; i < Math.min(4, utf8.length); i++) {
            if (utf8[i] == 0) {
                throw new MalformedRecordException("not UTF-8 JSON (a NUL byte at " + i + ")");
            }
        }
        return read(() -> FACTORY.createParser(utf8));
    }

    /**
     * The text of a record {@link #read(byte[])} accepted, on one line: its own bytes, with each line
     * break made a space. That is all a collector needs to write it whole: in a valid record a line
     * break can only lie between tokens (the parser refuses one unescaped in a string).
     */
    public static String line(byte[] acceptedUtf8) {
        String text = new String(acceptedUtf8, java.nio.charset.StandardCharsets.UTF_8);
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : text.replace('\n', ' ').replace('\r', ' ');
    }

    private interface ParserSource {
        JsonParser open() throws java.io.IOException;
    }

    /**
     * Reads the one object from the parser's tokens into {@link Fields}, then checks them: what a
     * monitor never writes (more than {@link #MAX_CHARS}, deep nesting, a name twice, anything after
     * the object, such as a second, forged record) is refused.
     */
    private static ProcessRecord read(ParserSource source) throws MalformedRecordException {
        Fields f = new Fields();
        try (JsonParser p = source.open()) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new MalformedRecordException(first == null ? "not one JSON object: nothing" : "not one JSON object: not an object");
            }
            f.root(p);
            if (p.nextToken() != null) {
                throw new MalformedRecordException("not one JSON object: more after it");
            }
        } catch (TooManyRanges | DuplicateName e) {
            throw new MalformedRecordException(e.getMessage());
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("not one JSON object: " + CommandNames.quotable(e.getOriginalMessage(), 200));
        } catch (java.io.IOException e) {
            throw new MalformedRecordException("not one JSON object: " + CommandNames.quotable(e.getMessage(), 200));
        } catch (NumberFormatException e) {
            // Jackson's own, for a number it cannot hold ("1E6227815619072957"), not wrapped
            throw new MalformedRecordException("a number out of range: " + CommandNames.quotable(e.getMessage(), 200));
        }
        return f.record();
    }

    /** A value that is not what a field should hold: refused where the field is required, as absent where not. */
    private static final Object WRONG = new Object();

    /** What one record's tokens said, each field at most once (duplicates are refused by the parser). */
    private static final class Fields {
        // process
        Object pid;
        long ppid;
        long uid;
        String userName;
        Object exitCode;
        String exePath;
        List<String> args;
        String cgroupPath;
        Object entityId;
        Object parentEntityId;
        long euid = ProcessEvent.ID_UNKNOWN;
        long loginUid = ProcessEvent.ID_UNKNOWN;
        long sessionId = ProcessEvent.ID_UNKNOWN;
        String tty;
        // host
        Object hostName;
        Object hostId;
        // procmon
        boolean procmon;
        String schemaText = "";
        long schema = -1;
        Object run;
        Object seq;
        String type = "";
        String comm;
        Object signal;
        boolean coreDumped;
        long parentAtExit;
        boolean startedBefore;
        boolean exeTruncated;
        boolean argsMissing;
        boolean argsTruncated;
        long argsBytes;
        Object cgroupId;
        long execNs;
        long exitNs;
        long startNs;
        long parentStartNs;
        Object clockOffset;
        String origin = "";
        long count;
        long cpu = LostEvents.NO_CPU;
        long[] lostSeqs = new long[0];
        boolean lostSeqsWrong;

        void root(JsonParser p) throws java.io.IOException {
            Names names = names(0);
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                names.add(name);
                JsonToken t = p.nextToken();
                switch (name) {
                    case "process" -> object(p, t, this::process);
                    case "host" -> object(p, t, this::host);
                    case "procmon" -> {
                        procmon = t == JsonToken.START_OBJECT;
                        object(p, t, this::procmon);
                    }
                    default -> skip(p);
                }
            }
        }

        private interface Members {
            void field(JsonParser p, String name, JsonToken t) throws java.io.IOException;
        }

        /** The members of an object, or nothing (skipped) for a value of another kind. */
        private void object(JsonParser p, JsonToken t, Members members) throws java.io.IOException {
            if (t != JsonToken.START_OBJECT) {
                skip(p);
                return;
            }
            Names names = names(++depth);
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                names.add(name);
                members.field(p, name, p.nextToken());
            }
            depth--;
        }

        /**
         * Past the value whose first token is the current one, checking the names of every object
         * in it as {@link #object} does: what is not read is still refused when it holds a name twice.
         */
        private void skip(JsonParser p) throws java.io.IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                object(p, t, skipping);
            } else if (t == JsonToken.START_ARRAY) {
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    skip(p);
                }
            }
        }

        /** Members not read: skipped, their names checked all the same. */
        private final Members skipping = (q, n, u) -> skip(q);
        /** The nesting of the object read now: 0 for the record itself (the parser bounds it). */
        private int depth;
        /** Per nesting level, the names of the object open there. */
        private Names[] levels = new Names[4];

        /** The names of a new object at this level, none yet. */
        private Names names(int level) {
            if (level >= levels.length) {
                levels = java.util.Arrays.copyOf(levels, level + 4);
            }
            Names names = levels[level];
            if (names == null) {
                names = levels[level] = new Names();
            }
            names.clear();
            return names;
        }

        private void process(JsonParser p, String name, JsonToken t) throws java.io.IOException {
            switch (name) {
                case "pid" -> pid = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                        ? (Object) p.getIntValue() : skipped(p);
                case "parent_pid" -> ppid = number(p, t, 0);
                case "entity_id" -> entityId = t == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
                case "parent" -> object(p, t, (q, n, u) -> {
                    if (n.equals("entity_id")) {
                        parentEntityId = u == JsonToken.VALUE_STRING ? q.getText() : skipped(q);
                    } else {
                        skip(q);
                    }
                });
                case "user" -> object(p, t, (q, n, u) -> {
                    if (n.equals("id")) {
                        euid = number(q, u, ProcessEvent.ID_UNKNOWN);
                    } else {
                        skip(q);
                    }
                });
                case "audit" -> object(p, t, (q, n, u) -> {
                    switch (n) {
                        case "login_uid" -> loginUid = number(q, u, ProcessEvent.ID_UNKNOWN);
                        case "session_id" -> sessionId = number(q, u, ProcessEvent.ID_UNKNOWN);
                        default -> skip(q);
                    }
                });
                case "tty" -> object(p, t, (q, n, u) -> {
                    if (n.equals("name") && u == JsonToken.VALUE_STRING) {
                        tty = q.getText();
                    } else {
                        skip(q);
                    }
                });
                case "executable" -> object(p, t, (q, n, u) -> {
                    if (n.equals("path")) {
                        exePath = text(q, u);
                    } else {
                        skip(q);
                    }
                });
                case "command_args" -> args = strings(p, t);
                case "real_user" -> object(p, t, (q, n, u) -> {
                    switch (n) {
                        case "id" -> uid = number(q, u, 0);
                        case "name" -> userName = text(q, u);
                        default -> skip(q);
                    }
                });
                case "exit" -> object(p, t, (q, n, u) -> {
                    if (n.equals("code")) {
                        exitCode = u.isNumeric() ? (Object) number(q, u, 0) : skipped(q);
                    } else {
                        skip(q);
                    }
                });
                case "linux" -> object(p, t, (q, n, u) -> {
                    if (n.equals("cgroup") && u == JsonToken.VALUE_STRING) {
                        cgroupPath = q.getText();
                    } else {
                        skip(q);
                    }
                });
                default -> skip(p);
            }
        }

        private void host(JsonParser p, String name, JsonToken t) throws java.io.IOException {
            switch (name) {
                case "name" -> hostName = t == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
                case "id" -> hostId = t == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
                default -> skip(p);
            }
        }

        private void procmon(JsonParser p, String name, JsonToken t) throws java.io.IOException {
            switch (name) {
                case "schema" -> {
                    schemaText = t == JsonToken.VALUE_STRING ? "\"" + CommandNames.quotable(p.getText(), 40) + "\"" : t.isScalarValue() ? p.getText() : "{...}";
                    schema = t == JsonToken.VALUE_NUMBER_INT ? number(p, t, -1) : skippedNumber(p, -1);
                }
                case "run" -> run = t == JsonToken.VALUE_STRING ? p.getText() : skipped(p);
                case "seq" -> seq = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER ? (Object) p.getLongValue() : skipped(p);
                case "type" -> type = t == JsonToken.VALUE_STRING ? p.getText() : skippedText(p);
                case "comm" -> comm = text(p, t);
                case "signal" -> signal = t.isNumeric() ? (Object) number(p, t, 0) : skipped(p);
                case "core_dumped" -> coreDumped = flag(p, t);
                case "parent_at_exit" -> parentAtExit = number(p, t, 0);
                case "started_before_monitoring" -> startedBefore = flag(p, t);
                case "exe_truncated" -> exeTruncated = flag(p, t);
                case "args" -> object(p, t, (q, n, u) -> {
                    switch (n) {
                        case "missing" -> argsMissing = flag(q, u);
                        case "truncated" -> argsTruncated = flag(q, u);
                        case "bytes" -> argsBytes = number(q, u, 0);
                        default -> skip(q);
                    }
                });
                case "cgroup_id" -> cgroupId = t.isNumeric() ? (Object) number(p, t, 0) : skipped(p);
                case "kernel" -> object(p, t, (q, n, u) -> {
                    switch (n) {
                        case "exec_ns" -> execNs = number(q, u, 0);
                        case "exit_ns" -> exitNs = number(q, u, 0);
                        case "start_ns" -> startNs = number(q, u, 0);
                        case "parent_start_ns" -> parentStartNs = number(q, u, 0);
                        case "clock_offset_ns" -> clockOffset = u.isNumeric() ? (Object) number(q, u, 0) : skipped(q);
                        default -> skip(q);
                    }
                });
                case "lost" -> object(p, t, (q, n, u) -> {
                    switch (n) {
                        case "origin" -> origin = u == JsonToken.VALUE_STRING ? q.getText() : skippedText(q);
                        case "count" -> count = number(q, u, 0);
                        case "cpu" -> cpu = number(q, u, LostEvents.NO_CPU);
                        case "seqs" -> seqs(q, u);
                        default -> skip(q);
                    }
                });
                default -> skip(p);
            }
        }

        /** {@code [[from, to], ...]}: at most {@link #MAX_LOST_RANGES} pairs of whole numbers. */
        private void seqs(JsonParser p, JsonToken t) throws java.io.IOException {
            if (t == JsonToken.VALUE_NULL) {
                return;
            }
            if (t != JsonToken.START_ARRAY) {
                lostSeqsWrong = true;
                skip(p);
                return;
            }
            long[] ranges = new long[16];
            int n = 0;
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                if (n / 2 >= MAX_LOST_RANGES) {
                    throw new TooManyRanges();
                }
                long from = -1;
                long to = -1;
                if (e == JsonToken.START_ARRAY) {
                    int i = 0;
                    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken(), i++) {
                        long value = v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER ? p.getLongValue() : -1;
                        skip(p);
                        if (i == 0) {
                            from = value;
                        } else if (i == 1) {
                            to = value;
                        }
                    }
                } else {
                    skip(p);
                }
                if (from < 1 || from > to || to > SequenceTracker.MAX_SEQ) {
                    lostSeqsWrong = true;
                }
                if (n + 2 > ranges.length) {
                    ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
                }
                ranges[n++] = from;
                ranges[n++] = to;
            }
            lostSeqs = java.util.Arrays.copyOf(ranges, n);
        }

        private Object skipped(JsonParser p) throws java.io.IOException {
            skip(p);
            return WRONG;
        }

        private String skippedText(JsonParser p) throws java.io.IOException {
            skip(p);
            return "";
        }

        private long skippedNumber(JsonParser p, long otherwise) throws java.io.IOException {
            skip(p);
            return otherwise;
        }

        /**
         * Whether the value is {@code true}; any other is false, and skipped whole: a container left
         * unread would have its members read as the outer object's (a forged seq among them).
         */
        private boolean flag(JsonParser p, JsonToken t) throws java.io.IOException {
            skip(p);
            return t == JsonToken.VALUE_TRUE;
        }

        /** A whole number (a fraction is cut, as a monitor never writes one here), or {@code otherwise}. */
        private long number(JsonParser p, JsonToken t, long otherwise) throws java.io.IOException {
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                return (long) p.getDoubleValue();
            }
            skip(p);
            return otherwise;
        }

        /** A string's text; another scalar's own text; "" for an object or array. */
        private String text(JsonParser p, JsonToken t) throws java.io.IOException {
            if (t.isScalarValue()) {
                return p.getText();
            }
            skip(p);
            return "";
        }

        /** An array's strings (other scalars as their text, containers as ""); none for anything else. */
        private List<String> strings(JsonParser p, JsonToken t) throws java.io.IOException {
            List<String> values = new ArrayList<>();
            if (t != JsonToken.START_ARRAY) {
                skip(p);
                return values;
            }
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                values.add(text(p, e));
            }
            return values;
        }

        ProcessRecord record() throws MalformedRecordException {
            if (!procmon) {
                throw new MalformedRecordException("no procmon object: not a procmon record (JSON Lines of an older procmon?)");
            }
            if (schema != ProcessRecords.SCHEMA) {
                throw new MalformedRecordException("schema " + schemaText + " is not " + ProcessRecords.SCHEMA);
            }
            Host host = new Host(name(hostName, "host.name", true), name(hostId, "host.id", true));
            String runId = name(run, "procmon.run", false);
            if (!(seq instanceof Long number) || number < 1 || number > SequenceTracker.MAX_SEQ) {
                throw new MalformedRecordException("procmon.seq is not a number from 1 to " + SequenceTracker.MAX_SEQ);
            }
            switch (type) {
                case "process":
                    return new ProcessRecord(host, runId, number, Optional.of(event(host, ProcessEvent.Kind.EXIT)), Optional.empty(),
                            new long[0]);
                case "exec":
                    return new ProcessRecord(host, runId, number, Optional.of(event(host, ProcessEvent.Kind.EXEC)), Optional.empty(),
                            new long[0]);
                case "running":
                    return new ProcessRecord(host, runId, number, Optional.of(event(host, ProcessEvent.Kind.RUNNING)), Optional.empty(),
                            new long[0]);
                case "lost":
                    LostEvents.Origin o;
                    try {
                        o = LostEvents.Origin.valueOf(origin.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new MalformedRecordException("unknown loss origin \"" + CommandNames.quotable(origin, 200) + "\"");
                    }
                    if (count <= 0) {
                        throw new MalformedRecordException("loss notice without a positive count");
                    }
                    if (lostSeqsWrong) {
                        throw new MalformedRecordException("loss notice with a range of seqs that is not [from, to] within 1 to "
                                + SequenceTracker.MAX_SEQ);
                    }
                    return new ProcessRecord(host, runId, number, Optional.empty(), Optional.of(new LostEvents(o, (int) cpu, count)), lostSeqs);
                default:
                    throw new MalformedRecordException("unknown record type \"" + CommandNames.quotable(type, 200) + "\"");
            }
        }

        private ProcessEvent event(Host host, ProcessEvent.Kind kind) throws MalformedRecordException {
            if (!(pid instanceof Integer id) || comm == null) {
                throw new MalformedRecordException("process record without process.pid or procmon.comm");
            }
            ProcessEvent.Builder b = ProcessEvent.builder()
                    .kind(kind)
                    .pid(id)
                    .ppid((int) ppid)
                    .parentAtExit((int) parentAtExit)
                    .uid((int) uid)
                    .commandBytes(CommandNames.encode(comm))
                    .startedBeforeMonitoring(startedBefore)
                    .host(host);
            if (userName != null) {
                b.userName(userName);
            }
            b.execTimeNanos(execNs).exitTimeNanos(exitNs).starts(startNs, parentStartNs);
            if (clockOffset instanceof Long offset) {
                b.clockOffsetNanos(offset);
            }
            // Back to the kernel's wait status: code << 8, or the signal with 0x80 for a core dump.
            if (exitCode instanceof Long code) {
                b.exitCode(((int) (long) code & 0xff) << 8);
            } else if (signal instanceof Long sig) {
                b.exitCode(((int) (long) sig & 0x7f) | (coreDumped ? 0x80 : 0));
            }
            if (exePath != null) {
                b.executable(exePath).executableTruncated(exeTruncated);
            }
            if (args != null) {
                b.arguments(new Arguments(args, argsTruncated, argsBytes));
            } else if (argsMissing) {
                b.argumentsMissing();
            }
            if (cgroupId instanceof Long cgroup) {
                b.cgroup(cgroup, cgroupPath);
            }
            b.entityIds(entityId(this.entityId, "process.entity_id"), entityId(parentEntityId, "process.parent.entity_id"))
                    .login(id(loginUid), id(sessionId))
                    .effectiveUid(id(euid))
                    .tty(tty == null ? null : name(tty, "process.tty.name", false));
            return b.build();
        }

        /** A uid or session id as the kernel keeps it (32 bits); anything else as unknown. */
        private static int id(long value) {
            return value >= 0 && value < 0xffffffffL ? (int) value : ProcessEvent.ID_UNKNOWN;
        }

        /** An entity id: what collectors join records by, so nothing but what a monitor writes (32 hex digits). */
        private static String entityId(Object value, String field) throws MalformedRecordException {
            if (value == null) {
                return null;
            }
            if (!(value instanceof String text) || !ENTITY_ID.matcher(text).matches()) {
                throw new MalformedRecordException(field + " is not 32 lower-case hex digits");
            }
            return text;
        }
    }

    /**
     * The names of one object so far, to refuse one given twice: a monitor never writes a name twice,
     * and a sender that does is refused, not read one way or the other. A record's objects hold a
     * few to twenty names, so a scan of their hashes (cached in the parser's own name strings) beats
     * Jackson's own detection, which makes a hash set for every object of more than two names. An
     * object of more names than that gets a set, so a forged one of many cannot make it quadratic.
     */
    private static final class Names {
        private static final int SCANNED = 32;
        private final String[] names = new String[SCANNED];
        private final int[] hashes = new int[SCANNED];
        private int count;
        private java.util.Set<String> more;

        void clear() {
            count = 0;
            more = null;
        }

        void add(String name) throws DuplicateName {
            int hash = name.hashCode();
            if (count < SCANNED) {
                for (int i = 0; i < count; i++) {
                    if (hashes[i] == hash && names[i].equals(name)) {
                        throw new DuplicateName(name);
                    }
                }
                names[count] = name;
                hashes[count++] = hash;
                return;
            }
            if (more == null) {
                more = new java.util.HashSet<>(java.util.Arrays.asList(names));
            }
            if (!more.add(name)) {
                throw new DuplicateName(name);
            }
        }
    }

    /** A name given twice in one object. */
    private static final class DuplicateName extends java.io.IOException {
        DuplicateName(String name) {
            super("not one JSON object: Duplicate field '" + CommandNames.quotable(name, 200) + "'");
        }
    }

    /** More ranges in one notice than any sender writes: refused before they are held. */
    private static final class TooManyRanges extends java.io.IOException {
        TooManyRanges() {
            super("loss notice with more than " + MAX_LOST_RANGES + " ranges");
        }
    }

    /** A host name, host id or run id: text of at most {@value #MAX_NAME_CHARS} characters, without controls. */
    private static String name(Object value, String field, boolean optional) throws MalformedRecordException {
        if (value == null && optional) {
            return "";
        }
        if (!(value instanceof String text) || text.length() > MAX_NAME_CHARS || CommandNames.hasControl(text)
                || (!optional && text.isEmpty())) {
            throw new MalformedRecordException(field + " is not a name of 1 to " + MAX_NAME_CHARS + " printable characters");
        }
        return text;
    }
}
