package io.procmon.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_CHARS).maxNestingDepth(16).maxNumberLength(32).build())
            .build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Decimals as written ("1.00" stays "1.00"), so a record written afresh is the record sent.
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    /** Thrown for text that is not a record of a schema this version reads. */
    public static final class MalformedRecordException extends Exception {
        public MalformedRecordException(String message) {
            super(message);
        }
    }

    /** Parses one JSON object written by {@link ProcessRecords}. */
    public static ProcessRecord parse(String json) throws MalformedRecordException {
        return of(readTree(json));
    }

    /**
     * Parses one record's text into a tree, refusing what a monitor never writes: more than
     * {@link #MAX_CHARS}, deep nesting, anything after the object (a second, forged record).
     */
    public static JsonNode readTree(String json) throws MalformedRecordException {
        if (json.length() > MAX_CHARS) {
            throw new MalformedRecordException("longer than " + MAX_CHARS + " characters");
        }
        return parsed(() -> MAPPER.readTree(json));
    }

    private interface TreeRead {
        JsonNode read() throws java.io.IOException;
    }

    private static JsonNode parsed(TreeRead read) throws MalformedRecordException {
        try {
            return read.read();
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("not one JSON object: " + CommandNames.quotable(e.getOriginalMessage(), 200));
        } catch (java.io.IOException e) {
            throw new MalformedRecordException("not one JSON object: " + CommandNames.quotable(e.getMessage(), 200));
        } catch (NumberFormatException e) {
            // Jackson's own, for a number it cannot hold ("1E6227815619072957"), not wrapped
            throw new MalformedRecordException("a number out of range: " + CommandNames.quotable(e.getMessage(), 200));
        }
    }

    /**
     * As {@link #readTree(String)}, from the UTF-8 bytes a record travels in: no text of the whole
     * record is made first (a collector's hottest path). Bytes that are not UTF-8 are refused.
     */
    public static JsonNode readTree(byte[] utf8) throws MalformedRecordException {
        if (utf8.length > MAX_CHARS) {
            throw new MalformedRecordException("longer than " + MAX_CHARS + " bytes");
        }
        // Jackson takes NUL bytes among the first four for UTF-16 or UTF-32; UTF-8 JSON has none there.
        for (int i = 0; i < Math.min(4, utf8.length); i++) {
            if (utf8[i] == 0) {
                throw new MalformedRecordException("not UTF-8 JSON (a NUL byte at " + i + ")");
            }
        }
        return parsed(() -> MAPPER.readTree(utf8));
    }

    /**
     * The record as one compact line, written afresh from its tree: what a collector writes, so that
     * no whitespace or line break a sender put between the tokens reaches its output.
     */
    public static String compact(JsonNode root) {
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed tree always writes", e);
        }
    }

    /** Reads one parsed record. */
    public static ProcessRecord of(JsonNode root) throws MalformedRecordException {
        if (root == null || !root.isObject()) {
            throw new MalformedRecordException("not a JSON object");
        }
        JsonNode procmon = root.path("procmon");
        if (!procmon.isObject()) {
            throw new MalformedRecordException("no procmon object: not a procmon record (JSON Lines of an older procmon?)");
        }
        int schema = procmon.path("schema").asInt(-1);
        if (schema != ProcessRecords.SCHEMA) {
            throw new MalformedRecordException("schema " + procmon.path("schema") + " is not " + ProcessRecords.SCHEMA);
        }
        Host host = new Host(name(root.path("host").path("name"), "host.name", true), name(root.path("host").path("id"), "host.id", true));
        String run = name(procmon.path("run"), "procmon.run", false);
        JsonNode seqNode = procmon.path("seq");
        if (!seqNode.canConvertToLong() || !seqNode.isIntegralNumber() || seqNode.asLong() < 1 || seqNode.asLong() > SequenceTracker.MAX_SEQ) {
            throw new MalformedRecordException("procmon.seq is not a number from 1 to " + SequenceTracker.MAX_SEQ);
        }
        long seq = seqNode.asLong();
        String type = procmon.path("type").asText("");
        switch (type) {
            case "process":
                return new ProcessRecord(host, run, seq, Optional.of(event(root, procmon, host)), Optional.empty(), new long[0]);
            case "lost":
                JsonNode lost = procmon.path("lost");
                LostEvents.Origin origin;
                try {
                    origin = LostEvents.Origin.valueOf(lost.path("origin").asText("").toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new MalformedRecordException("unknown loss origin " + lost.path("origin"));
                }
                long count = lost.path("count").asLong(0);
                if (count <= 0) {
                    throw new MalformedRecordException("loss notice without a positive count");
                }
                if (lost.path("seqs").size() > MAX_LOST_RANGES) {
                    throw new MalformedRecordException("loss notice with more than " + MAX_LOST_RANGES + " ranges");
                }
                long[] seqs = new long[lost.path("seqs").size() * 2];
                for (int i = 0; i < seqs.length / 2; i++) {
                    JsonNode from = lost.path("seqs").path(i).path(0);
                    JsonNode to = lost.path("seqs").path(i).path(1);
                    if (!from.isIntegralNumber() || !to.isIntegralNumber() || from.asLong() < 1 || from.asLong() > to.asLong()
                            || to.asLong() > SequenceTracker.MAX_SEQ) {
                        throw new MalformedRecordException("loss notice with a range of seqs that is not [from, to] within 1 to "
                                + SequenceTracker.MAX_SEQ);
                    }
                    seqs[2 * i] = from.asLong();
                    seqs[2 * i + 1] = to.asLong();
                }
                return new ProcessRecord(host, run, seq, Optional.empty(),
                        Optional.of(new LostEvents(origin, lost.path("cpu").asInt(LostEvents.NO_CPU), count)), seqs);
            default:
                throw new MalformedRecordException("unknown record type \"" + CommandNames.quotable(type, 200) + "\"");
        }
    }

    /** A host name, host id or run id: text of at most {@value #MAX_NAME_CHARS} characters, without controls. */
    private static String name(JsonNode node, String field, boolean optional) throws MalformedRecordException {
        if (node.isMissingNode() && optional) {
            return "";
        }
        if (!node.isTextual() || node.asText().length() > MAX_NAME_CHARS || CommandNames.hasControl(node.asText())
                || (!optional && node.asText().isEmpty())) {
            throw new MalformedRecordException(field + " is not a name of 1 to " + MAX_NAME_CHARS + " printable characters");
        }
        return node.asText();
    }

    private static ProcessEvent event(JsonNode root, JsonNode procmon, Host host) throws MalformedRecordException {
        JsonNode process = root.path("process");
        if (!process.path("pid").canConvertToInt() || !procmon.has("comm")) {
            throw new MalformedRecordException("process record without process.pid or procmon.comm");
        }
        ProcessEvent.Builder b = ProcessEvent.builder()
                .pid(process.path("pid").asInt())
                .ppid(process.path("parent_pid").asInt())
                .parentAtExit(procmon.path("parent_at_exit").asInt(0))
                .uid((int) process.path("real_user").path("id").asLong())
                .commandBytes(CommandNames.encode(procmon.path("comm").asText()))
                .startedBeforeMonitoring(procmon.path("started_before_monitoring").asBoolean())
                .host(host);
        if (process.path("real_user").has("name")) {
            b.userName(process.path("real_user").path("name").asText());
        }
        JsonNode kernel = procmon.path("kernel");
        b.execTimeNanos(kernel.path("exec_ns").asLong()).exitTimeNanos(kernel.path("exit_ns").asLong());
        if (kernel.has("clock_offset_ns")) {
            b.clockOffsetNanos(kernel.path("clock_offset_ns").asLong());
        }
        // Back to the kernel's wait status: code << 8, or the signal with 0x80 for a core dump.
        JsonNode exit = process.path("exit");
        if (exit.has("code")) {
            b.exitCode((exit.path("code").asInt() & 0xff) << 8);
        } else if (procmon.has("signal")) {
            b.exitCode((procmon.path("signal").asInt() & 0x7f) | (procmon.path("core_dumped").asBoolean() ? 0x80 : 0));
        }
        if (process.path("executable").has("path")) {
            b.executable(process.path("executable").path("path").asText())
                    .executableTruncated(procmon.path("exe_truncated").asBoolean());
        }
        JsonNode args = procmon.path("args");
        if (process.has("command_args")) {
            List<String> values = new ArrayList<>();
            process.path("command_args").forEach(v -> values.add(v.asText()));
            b.arguments(new Arguments(values, args.path("truncated").asBoolean(), args.path("bytes").asLong()));
        } else if (args.path("missing").asBoolean()) {
            b.argumentsMissing();
        }
        if (procmon.has("cgroup_id")) {
            JsonNode path = process.path("linux").path("cgroup");
            b.cgroup(procmon.path("cgroup_id").asLong(), path.isTextual() ? path.asText() : null);
        }
        return b.build();
    }
}
