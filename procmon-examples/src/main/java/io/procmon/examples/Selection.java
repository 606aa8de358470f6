package io.procmon.examples;

import io.procmon.bpf.BpfOptions;
import io.procmon.core.BatchedOutput;
import io.procmon.core.EventFilters;
import io.procmon.core.EventSink;
import io.procmon.core.NssUserNameResolver;
import io.procmon.core.ProcessEvent;
import io.procmon.csv.Column;
import io.procmon.csv.CsvSink;
import io.procmon.jsonl.JsonLinesSink;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What the command line asked for: output format and columns, and which processes. Validated once. */
record Selection(boolean jsonl, List<Column> columns, boolean exe, OptionalInt uid, OptionalInt loginUid,
        Predicate<ProcessEvent> commandFilter, Duration minDuration, boolean failedOnly, boolean dropStartedBefore, boolean cgroups,
        int argsMax, java.util.Set<ProcessEvent.Kind> events, Duration inventoryInterval, boolean who, boolean joinParents) {

    /**
     * @throws IllegalArgumentException with a one-line message for the user
     */
    static Selection parse(ProcmonCommand c) {
        java.util.Set<ProcessEvent.Kind> events = events(c.events);
        Duration inventory = Duration.ZERO;
        if (c.inventoryInterval != null) {
            if (!(c.inventoryInterval >= 1 && c.inventoryInterval <= 86_400 * 365)) { // NaN fails too
                throw new IllegalArgumentException("--inventory-interval must be a number of seconds, at least 1");
            }
            inventory = Duration.ofMillis(Math.round(c.inventoryInterval * 1000));
            events.add(ProcessEvent.Kind.RUNNING);
        }
        boolean notOnlyExits = !events.equals(java.util.EnumSet.of(ProcessEvent.Kind.EXIT));
        List<Column> defaults = notOnlyExits ? java.util.stream.Stream.concat(Column.ORIGINAL.stream(), java.util.stream.Stream.of(Column.EVENT)).toList()
                : Column.ORIGINAL;
        OutputFormat format = OutputFormat.parse(c.format, c.columns, defaults);
        boolean jsonl = format.jsonl();
        List<Column> columns = format.columns();
        if (notOnlyExits && !jsonl && !columns.contains(Column.EVENT)) {
            throw new IllegalArgumentException("--events exec and running need the event column in --columns: their rows would read "
                    + "as exits");
        }
        boolean joinParents = !jsonl && columns.stream().anyMatch(Column.JOINED_COLUMNS::contains);
        if ((notOnlyExits || joinParents) && (c.failedOnly || c.minDurationMs != null)) { // the kernel sends exec records only without them
            throw new IllegalArgumentException(notOnlyExits
                    ? "--events exec and running cannot be combined with --failed or --min-duration: both are known only at exit"
                    : "parent_command and parent_exe cannot be combined with --failed or --min-duration: a parent is known from its "
                            + "exec record, which those filters keep out of the kernel's output");
        }
        // Exit records are what the kernel always sends (they end each process's start record), and a
        // join learns parents from exec and running records: records of kinds not asked for stop here.
        java.util.Set<ProcessEvent.Kind> wanted = java.util.EnumSet.copyOf(events);
        Predicate<ProcessEvent> command = e -> wanted.contains(e.kind());
        OptionalInt uid = userId("--uid", c.user);
        OptionalInt loginUid = userId("--login-uid", c.loginUser);
        if (c.commandGlob != null) {
            command = command.and(EventFilters.commandGlob(c.commandGlob));
        }
        if (c.commandRegex != null) {
            try {
                command = command.and(EventFilters.commandRegex(Pattern.compile(c.commandRegex)));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("--command-regex: " + e.getDescription() + " in '" + c.commandRegex + "'");
            }
        }
        Duration min = Duration.ZERO;
        if (c.minDurationMs != null) {
            if (c.minDurationMs < 0 || c.minDurationMs.isNaN() || c.minDurationMs.isInfinite()) {
                throw new IllegalArgumentException("--min-duration must be a non-negative number of milliseconds");
            }
            min = Duration.ofNanos(Math.round(c.minDurationMs * 1e6));
        }
        if (c.containerPrefix != null) {
            if (!c.containerPrefix.matches("[0-9a-f]{1,64}")) {
                throw new IllegalArgumentException("--container takes a prefix of a container id (hex digits), got '" + c.containerPrefix + "'");
            }
            command = command.and(EventFilters.containerIdPrefix(c.containerPrefix));
        }
        if (c.cgroupPrefix != null) {
            if (!c.cgroupPrefix.startsWith("/")) {
                throw new IllegalArgumentException("--cgroup takes a path that starts with /, got '" + c.cgroupPrefix + "'");
            }
            command = command.and(EventFilters.cgroupPrefix(c.cgroupPrefix));
        }
        boolean cgroups = c.cgroups || c.containerPrefix != null || c.cgroupPrefix != null
                || columns.stream().anyMatch(Column.CGROUP_COLUMNS::contains);
        BpfOptions.checkArgsMax("--args-max", c.argsMax);
        boolean args = c.args || columns.stream().anyMatch(Column.ARGS_COLUMNS::contains);
        return new Selection(jsonl, columns, c.exe || columns.contains(Column.EXE) || columns.contains(Column.PARENT_EXE), uid, loginUid, command, min, c.failedOnly,
                c.dropStartedBefore, cgroups, args ? c.argsMax : 0, events, inventory,
                jsonl || c.kafka.bootstrap != null || columns.stream().anyMatch(Column.WHO_COLUMNS::contains), joinParents);
    }

    /** {@code --events}: exit, exec, running, in any order; at least one. */
    private static java.util.Set<ProcessEvent.Kind> events(String list) {
        java.util.Set<ProcessEvent.Kind> kinds = java.util.EnumSet.noneOf(ProcessEvent.Kind.class);
        for (String part : list.split(",", -1)) {
            kinds.add(ProcessEvent.Kind.ofLabel(part.trim().toLowerCase(java.util.Locale.ROOT)).orElseThrow(() ->
                    new IllegalArgumentException("--events takes exit, exec and running, comma-separated; got '"
                            + io.procmon.core.CommandNames.quotable(part.trim(), 40) + "'")));
        }
        return kinds;
    }

    /** A user named by an option, by name (through NSS) or number; empty when the option is absent. */
    private static OptionalInt userId(String option, String user) {
        if (user == null) {
            return OptionalInt.empty();
        }
        OptionalInt id = user.matches("\\d{1,10}") ? parseUid(user) : NssUserNameResolver.uidOf(user);
        if (id.isEmpty()) {
            throw new IllegalArgumentException(option + ": no such user '" + io.procmon.core.CommandNames.quotable(user, 64) + "'");
        }
        return id;
    }

    private static OptionalInt parseUid(String digits) {
        long id = Long.parseLong(digits);
        return id < 0xffffffffL ? OptionalInt.of((int) id) : OptionalInt.empty(); // (uid_t) -1 names nobody
    }

    BpfOptions bpfOptions(int pages, int maxProcesses) {
        BpfOptions.Builder b = BpfOptions.builder().pagesPerCpu(pages).maxProcesses(maxProcesses).executablePaths(exe)
                .minDuration(minDuration).failedOnly(failedOnly).reportStartedBefore(!dropStartedBefore).cgroups(cgroups)
                .args(argsMax).execRecords(joinParents || events.contains(ProcessEvent.Kind.EXEC))
                .runningRecords(joinParents || events.contains(ProcessEvent.Kind.RUNNING)).inventoryInterval(inventoryInterval).who(who);
        uid.ifPresent(b::uid);
        loginUid.ifPresent(b::loginUid);
        return b.build();
    }

    /** What the kernel cannot filter. */
    Predicate<ProcessEvent> javaFilter() {
        return commandFilter;
    }

    EventSink openSink(String output, boolean append, io.procmon.schema.ProcessRecords records) throws IOException {
        boolean stdout = "-".equals(output);
        if (jsonl) {
            return stdout ? JsonLinesSink.to(new FileOutputStream(FileDescriptor.out), records)
                    : JsonLinesSink.open(Path.of(output), append ? BatchedOutput.WriteMode.APPEND : BatchedOutput.WriteMode.TRUNCATE, records);
        }
        return stdout ? CsvSink.to(new FileOutputStream(FileDescriptor.out), columns)
                : CsvSink.open(Path.of(output), append ? CsvSink.WriteMode.APPEND : CsvSink.WriteMode.TRUNCATE, columns);
    }
}
