package io.procmon.examples;

import io.procmon.core.BatchedOutput;
import io.procmon.core.ProcessEvent;
import io.procmon.core.ProcessTable;
import io.procmon.csv.Column;
import io.procmon.csv.CsvSink;
import io.procmon.schema.ProcessRecord;
import io.procmon.kafka.FleetCollector;
import io.procmon.schema.SequenceTracker;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code procmon collect}: the whole fleet's records from Kafka into one file. */
@Command(name = "collect", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Consumes the records that monitors started with --kafka send, as a member of a consumer group, and writes "
                    + "them into one file with the host of each row. Each record is written once: duplicates are skipped. "
                    + "On Ctrl+C (or after --idle-exit seconds without records) it commits its offsets, stops, and reports "
                    + "per host and monitor run the records received, the sequence numbers missing, the duplicates, "
                    + "and the losses the hosts announced."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  procmon collect --kafka broker1:9092 -o fleet.csv",
            "  procmon collect --kafka broker1:9092 --format jsonl -o - | jq 'select(.process.exit.code != 0)'"})
final class CollectCommand implements Callable<Integer> {
    /** The CSV columns of a fleet file, unless --columns says otherwise. */
    static final String DEFAULT_COLUMNS = "host,pid,ppid,user,command,duration_ms,start_time,end_time";

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--group", paramLabel = "ID", defaultValue = "procmon-collect",
            description = "Consumer group; a new group starts from the oldest record kept (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write; - for standard output.")
    String output;

    @Option(names = "--summarize", description = "Instead of collecting: read the JSON Lines FILES of the collectors of one "
            + "group and report per host and run, across them all, the records received, the sequence numbers missing, the "
            + "losses announced and the duplicates (a record written by a collector killed before committing it, and again "
            + "by the one that took its partition over); on standard output.")
    boolean summarize;

    @CommandLine.Parameters(paramLabel = "FILES", arity = "0..*", description = "With --summarize: the collectors' files.")
    List<Path> files = List.of();

    @Option(names = {"-a", "--append"}, description = "Append to FILE instead of truncating it.")
    boolean append;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv",
            description = "csv (default) or jsonl (each record as the host sent it, on one line).")
    String format;

    @Option(names = "--columns", paramLabel = "LIST", description = "CSV columns (default: " + DEFAULT_COLUMNS + "); as the monitor's --columns.")
    String columns;

    @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds without a record, counted once the group has assigned partitions; "
                    + "0 = run until Ctrl+C (default).")
    double idleExit;

    @Option(names = {"-q", "--quiet"}, description = "No report at the end; errors only.")
    boolean quiet;

    @Option(names = "--debug", description = "Debug logging, and stack traces with errors.")
    boolean debug;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        CliSetup.logging(debug); // before any logger exists
        if (summarize) {
            return FleetSummaryRun.run(files, System.out, err);
        }
        if (!files.isEmpty()) {
            return usage(err, "FILES are read only with --summarize; collect writes one file, -o FILE");
        }
        if (output == null) {
            return usage(err, "collect needs -o FILE (- for standard output)");
        }
        if (kafka.bootstrap == null || kafka.bootstrap.isBlank()) {
            return usage(err, "collect needs --kafka BOOTSTRAP");
        }
        if (kafka.topic == null || kafka.topic.isBlank()) {
            return usage(err, "the Kafka topic must not be empty");
        }
        if (idleExit < 0 || Double.isNaN(idleExit)) {
            return usage(err, "--idle-exit must not be negative, got " + idleExit);
        }
        OutputFormat chosen;
        java.util.Properties props;
        try {
            chosen = OutputFormat.parse(format, columns, Column.parseList(DEFAULT_COLUMNS));
            props = kafka.clientProperties(err);
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        boolean jsonl = chosen.jsonl();
        List<Column> cols = chosen.columns();
        Output out;
        try {
            out = jsonl ? new RawLines(open()) : new Rows(open(), cols);
        } catch (IOException | UncheckedIOException | java.nio.file.InvalidPathException e) {
            err.println("procmon collect: cannot write " + output + ": " + ProcmonCli.describe(e));
            return ExitCode.OUTPUT.code;
        }
        FleetCollector collector;
        try {
            collector = new FleetCollector(kafka.bootstrap, kafka.topic, group, props, out.handler(err));
        } catch (org.apache.kafka.common.KafkaException e) {
            out.close();
            return usage(err, "bad Kafka configuration: " + ProcmonCli.describe(e.getCause() != null ? e.getCause() : e));
        }
        Stopper stopper = new Stopper(collector, idleExit);
        stopper.install();
        if (!quiet) {
            err.println("procmon collect: reading " + kafka.topic + " at " + kafka.bootstrap + " into "
                    + ("-".equals(output) ? "standard output" : output) + "; Ctrl+C to stop");
        }
        try {
            collector.run();
        } catch (UncheckedIOException e) {
            err.println("procmon collect: writing " + output + " failed: " + ProcmonCli.describe(e));
            collector.close();
            return ExitCode.OUTPUT.code;
        } finally {
            stopper.done();
        }
        collector.close();
        try {
            out.close();
        } catch (UncheckedIOException e) {
            err.println("procmon collect: writing " + output + " failed: " + ProcmonCli.describe(e));
            return ExitCode.OUTPUT.code;
        }
        if (!quiet) {
            report(err, collector.runs(), collector.malformed(), collector.retired(), "duplicates skipped");
        }
        if (!quiet && out.parents() != null) {
            ProcessTable t = out.parents();
            err.printf(Locale.ROOT, "procmon collect: parents joined by entity id: %,d rows with their parent's, %,d whose parent "
                    + "had no exec or running record before them%s%n", t.joined(), t.parentUnseen(),
                    t.forgotten() == 0 ? "" : String.format(Locale.ROOT, ", %,d processes forgotten to stay within %d MiB",
                            t.forgotten(), ProcessTable.DEFAULT_MAX_BYTES >> 20));
        }
        if (out.leftOut() > 0) { // said even when quiet: records received and not written
            err.printf(Locale.ROOT, "procmon collect: %,d exec and running records left out of %s: its columns have no event "
                    + "column to tell them from exits (add event to --columns)%n", out.leftOut(), output);
        }
        return ExitCode.OK.code;
    }

    private BatchedOutput open() throws IOException {
        return "-".equals(output) ? BatchedOutput.of(new FileOutputStream(FileDescriptor.out), "standard output")
                : BatchedOutput.open(Path.of(output), append ? BatchedOutput.WriteMode.APPEND : BatchedOutput.WriteMode.TRUNCATE);
    }

    /**
     * One line per host and run: what arrived, what is missing, what the host said it lost.
     *
     * @param duplicatesAre what the duplicates counted are: skipped by a collector, or held twice by the files summarized
     */
    static void report(PrintStream err, Map<String, SequenceTracker> runs, long malformed, long retired, String duplicatesAre) {
        long records = runs.values().stream().mapToLong(SequenceTracker::received).sum();
        err.printf(Locale.ROOT, "procmon collect: %,d records from %,d monitor runs%s%s%n", records, runs.size(),
                retired == 0 ? "" : String.format(Locale.ROOT, " still tracked (%,d retired earlier, each reported then)", retired),
                malformed == 0 ? "" : String.format(Locale.ROOT, "; %,d values were not procmon records", malformed));
        runs.forEach((run, t) -> err.println(line(run, t, duplicatesAre)));
    }

    /** A run's report line: what arrived, what is missing, what the host said it lost. */
    static String line(String run, SequenceTracker t, String duplicatesAre) {
        return String.format(Locale.ROOT,
                "procmon collect: %s: %,d records, %,d missing in %,d gaps (%,d announced as lost by its sender, %,d of them arrived anyway), "
                        + "%,d %s, %,d events lost on the host%s%s",
                run, t.received(), t.missing(), t.gapRanges(), t.announcedSinkLosses(), t.announcedButArrived(), t.duplicates(),
                duplicatesAre, t.otherLosses(),
                t.countedFrom() > 1 ? String.format(Locale.ROOT, " (from seq %,d: the group had read the run's start before)", t.countedFrom()) : "",
                t.floor() > 1 ? String.format(Locale.ROOT, "; more gaps than are kept: below seq %,d only totals, and %,d records arrived "
                        + "there, written and not counted", t.floor(), t.untracked()) : "");
    }

    /** The line of a run retired to stay within the runs tracked, printed when it goes. */
    static String retiredLine(String run, SequenceTracker t, String duplicatesAre) {
        return line(run, t, duplicatesAre) + "; retired, the run seen least recently";
    }

    static int usage(PrintStream err, String message) {
        err.println("procmon collect: " + message);
        err.println("Try 'procmon collect --help' for more information.");
        return ExitCode.USAGE.code;
    }

    /** Where collected records go. */
    private abstract static class Output {
        final BatchedOutput out;

        Output(BatchedOutput out) {
            this.out = out;
        }

        abstract void write(ProcessRecord record, String json);

        /** Whether {@link #write} uses the record's text. */
        abstract boolean needsJson();

        FleetCollector.Handler handler(PrintStream err) {
            return new FleetCollector.Handler() {
                @Override
                public void onRecord(ProcessRecord record, String json) {
                    write(record, json);
                }

                @Override
                public boolean needsJson() {
                    return Output.this.needsJson();
                }

                @Override
                public void onMalformed(String reason, String where) {
                    err.println("procmon collect: skipped " + where + ": " + reason);
                }

                @Override
                public void onRetired(String run, SequenceTracker figures) {
                    err.println(retiredLine(run, figures, "duplicates skipped"));
                }

                @Override
                public void flush() {
                    out.flush();
                }
            };
        }

        void close() {
            out.close();
        }

        /** Records received and deliberately not written (said at the end). */
        long leftOut() {
            return 0;
        }

        /** The processes joined with their parents, when the output has a column that needs it; else null. */
        ProcessTable parents() {
            return null;
        }
    }

    /** JSON Lines: each record as its host sent it, re-serialised on one line by the collector. */
    private static final class RawLines extends Output {
        RawLines(BatchedOutput out) {
            super(out);
        }

        @Override
        void write(ProcessRecord record, String json) {
            out.buffer().append(json).append('\n');
            out.recordsAdded();
        }

        @Override
        boolean needsJson() {
            return true;
        }
    }

    /**
     * CSV rows of processes; loss notices go to the report. Exec and running records only where a
     * column tells them from exits: without one they would read as processes that ended. With a
     * parent column, every record (those left out too) goes through one {@link ProcessTable}
     * first: each host's records come in order from its partition.
     */
    private static final class Rows extends Output {
        private final CsvSink csv;
        private final boolean tellsKinds;
        private final ProcessTable parents;
        private long leftOut;

        Rows(BatchedOutput out, List<Column> columns) {
            super(out);
            this.csv = CsvSink.into(out, columns);
            this.tellsKinds = columns.contains(Column.EVENT);
            this.parents = columns.contains(Column.PARENT_ENTITY_ID) || columns.stream().anyMatch(Column.JOINED_COLUMNS::contains)
                    ? new ProcessTable() : null;
        }

        @Override
        void write(ProcessRecord record, String json) {
            if (record.event().isEmpty()) {
                return;
            }
            ProcessEvent e = parents == null ? record.event().get() : parents.join(record.event().get());
            if (e.kind() != ProcessEvent.Kind.EXIT && !tellsKinds) {
                leftOut++;
                return;
            }
            csv.onEvent(e);
        }

        @Override
        long leftOut() {
            return leftOut;
        }

        @Override
        ProcessTable parents() {
            return parents;
        }

        @Override
        boolean needsJson() {
            return false;
        }

        @Override
        void close() {
            csv.close();
        }
    }

    /** Ctrl+C, SIGTERM, or --idle-exit: stop the collector; a second signal leaves at once. */
    private static final class Stopper {
        private final FleetCollector collector;
        private final double idleSeconds;
        private volatile boolean finished;

        Stopper(FleetCollector collector, double idleSeconds) {
            this.collector = collector;
            this.idleSeconds = idleSeconds;
        }

        void install() {
            CliSetup.onStopSignals(CliSetup.STOP_SIGNALS, collector::stop, () -> { });
            if (idleSeconds > 0) {
                Thread idle = new Thread(() -> {
                    long seen = -1;
                    long since = System.nanoTime();
                    while (!finished) {
                        long now = collector.received();
                        if (now != seen || !collector.assigned()) { // joining the group is not being idle
                            seen = now;
                            since = System.nanoTime();
                        } else if (System.nanoTime() - since > idleSeconds * 1e9) {
                            collector.stop();
                            return;
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "procmon-collect-idle");
                idle.setDaemon(true);
                idle.start();
            }
        }

        void done() {
            finished = true;
        }
    }
}
