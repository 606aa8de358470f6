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
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Thrown for text that is not a record of a schema this version reads. */
    public static final class MalformedRecordException extends Exception {
        MalformedRecordException(String message) {
            super(message);
        }
    }

    /** Parses one JSON object written by {@link ProcessRecords}. */
    public static ProcessRecord parse(String json) throws MalformedRecordException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("not JSON: " + e.getOriginalMessage());
        }
        return of(root);
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
        Host host = new Host(root.path("host").path("name").asText(""), root.path("host").path("id").asText(""));
        String run = procmon.path("run").asText("");
        long seq = procmon.path("seq").asLong(0);
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
                long[] seqs = new long[lost.path("seqs").size() * 2];
                for (int i = 0; i < seqs.length / 2; i++) {
                    seqs[2 * i] = lost.path("seqs").path(i).path(0).asLong();
                    seqs[2 * i + 1] = lost.path("seqs").path(i).path(1).asLong();
                }
                return new ProcessRecord(host, run, seq, Optional.empty(),
                        Optional.of(new LostEvents(origin, lost.path("cpu").asInt(LostEvents.NO_CPU), count)), seqs);
            default:
                throw new MalformedRecordException("unknown record type \"" + type + "\"");
        }
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
