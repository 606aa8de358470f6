package io.procmon.report;

import io.procmon.core.LostEvents;
import io.procmon.csv.Column;
import io.procmon.csv.CsvReader;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording read back for a report: procmon CSV with start times, or JSON Lines. Processes are
 * kept in the order they were recorded (their exit order); loss notices become {@link Gap}s at the
 * time of the last exit before them.
 */
public final class Recording {
    /** One process; times in microseconds since the epoch. Absent exit code or signal is -1. */
    public record Proc(int pid, int ppid, String command, String user, String host, long startMicros, long endMicros,
            int exitCode, int signal) {
        public boolean failed() {
            return exitCode > 0 || signal > 0;
        }
    }

    /** Events lost at about {@code atMicros}. */
    public record Gap(long atMicros, long count, String origin) {
    }

    /** Input the report cannot use; {@link #line()} is 0 when not about one line. */
    public static final class BadInputException extends Exception {
        private final long line;
        private final boolean missingColumns;

        BadInputException(long line, String message, boolean missingColumns) {
            super(message);
            this.line = line;
            this.missingColumns = missingColumns;
        }

        public long line() {
            return line;
        }

        /** True when the input lacks what the report needs (columns), rather than being malformed. */
        public boolean missingColumns() {
            return missingColumns;
        }
    }

    /** The CSV columns a report needs, as the monitor's --columns. */
    public static final String NEEDED_COLUMNS = "pid,ppid,user,command,duration_ms,start_time,end_time,exit_code,signal";

    private final List<Proc> processes;
    private final List<Gap> gaps;

    private Recording(List<Proc> processes, List<Gap> gaps) {
        this.processes = processes;
        this.gaps = gaps;
    }

    public static Recording of(List<Proc> processes, List<Gap> gaps) {
        return new Recording(List.copyOf(processes), List.copyOf(gaps));
    }

    public List<Proc> processes() {
        return processes;
    }

    public List<Gap> gaps() {
        return gaps;
    }

    /** Reads CSV or JSON Lines, told apart by the first character ({@code {} is JSON). */
    public static Recording read(Reader input) throws IOException, BadInputException {
        BufferedReader in = input instanceof BufferedReader b ? b : new BufferedReader(input, 1 << 16);
        in.mark(1);
        int first = in.read();
        if (first == -1) {
            throw new BadInputException(0, "the input is empty", false);
        }
        in.reset();
        return first == '{' ? readJsonLines(in) : readCsv(in);
    }

    private static Recording readJsonLines(BufferedReader in) throws IOException, BadInputException {
        List<Proc> procs = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        long lastEnd = Long.MIN_VALUE;
        long lineNo = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            ProcessRecord r;
            try {
                r = ProcessRecord.parse(line);
            } catch (ProcessRecord.MalformedRecordException e) {
                throw new BadInputException(lineNo, "line " + lineNo + ": " + e.getMessage(), false);
            }
            if (r.event().isPresent()) {
                ProcessEvent e = r.event().get();
                if (e.startTime().isEmpty()) {
                    throw new BadInputException(lineNo, "line " + lineNo + ": the record has no process.creation.time "
                            + "(recorded without the wall clock)", true);
                }
                long start = micros(e.startTime().get());
                long end = micros(e.endTime().get());
                procs.add(new Proc(e.pid(), e.ppid(), e.command(), e.userName().orElse(Integer.toUnsignedString(e.uid())),
                        r.host().name(), start, end, e.exitStatus().orElse(-1), e.signal().orElse(-1)));
                lastEnd = Math.max(lastEnd, end);
            } else {
                LostEvents lost = r.lost().orElseThrow();
                gaps.add(new Gap(lastEnd == Long.MIN_VALUE ? -1 : lastEnd, lost.count(), lost.origin().label()));
            }
        }
        // A loss before any process is placed at the first start.
        long first = procs.stream().mapToLong(Proc::startMicros).min().orElse(0);
        gaps.replaceAll(g -> g.atMicros() < 0 ? new Gap(first, g.count(), g.origin()) : g);
        return new Recording(procs, gaps);
    }

    private static Recording readCsv(BufferedReader in) throws IOException, BadInputException {
        CsvReader csv;
        try {
            csv = CsvReader.of(in);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new BadInputException(1, "line 1: " + e.getMessage(), false);
        }
        for (Column needed : new Column[] {Column.PID, Column.PPID, Column.COMMAND, Column.START_TIME}) {
            if (!csv.has(needed)) {
                throw new BadInputException(1, "the input has no " + needed.header() + " column; record with --columns "
                        + NEEDED_COLUMNS + " (or --format jsonl)", true);
            }
        }
        boolean hasEnd = csv.has(Column.END_TIME);
        if (!hasEnd && !csv.has(Column.DURATION_MS)) {
            throw new BadInputException(1, "the input has neither " + Column.END_TIME.header() + " nor "
                    + Column.DURATION_MS.header() + "; record with --columns " + NEEDED_COLUMNS, true);
        }
        List<Proc> procs = new ArrayList<>();
        var rows = csv.iterator();
        long line = 1;
        while (true) {
            CsvReader.Row r;
            try {
                if (!rows.hasNext()) {
                    break;
                }
                r = rows.next();
            } catch (IllegalArgumentException e) {
                throw new BadInputException(line + 1, e.getMessage(), false); // it names its line
            } catch (java.io.UncheckedIOException e) {
                throw new BadInputException(line + 1, "after line " + line + ": " + e.getMessage(), false);
            }
            line = r.line();
            try {
                long start = micros(Instant.parse(r.get(Column.START_TIME)));
                long end = hasEnd ? micros(Instant.parse(r.get(Column.END_TIME)))
                        : start + Math.round(Double.parseDouble(r.get(Column.DURATION_MS)) * 1000);
                if (end < start) {
                    throw new IllegalArgumentException("it ends before it starts");
                }
                procs.add(new Proc(Integer.parseInt(r.get(Column.PID)), Integer.parseInt(r.get(Column.PPID)), r.get(Column.COMMAND),
                        r.get(Column.USER), r.get(Column.HOST), start, end, intCell(r, Column.EXIT_CODE), intCell(r, Column.SIGNAL)));
            } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
                throw new BadInputException(line, "line " + line + ": " + e.getMessage(), false);
            }
        }
        return new Recording(procs, List.of());
    }

    private static int intCell(CsvReader.Row r, Column column) {
        String v = r.get(column);
        return v.isEmpty() ? -1 : Integer.parseInt(v);
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
