package io.procmon.report;

import io.procmon.core.LostEvents;
import io.procmon.csv.Column;
import io.procmon.csv.CsvReader;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A recording read back for a report: procmon CSV with start times, or JSON Lines. Processes are
 * kept in the order they were recorded (their exit order); loss notices become {@link Gap}s at the
 * time of the last exit before them.
 */
public final class Recording {
    /**
     * One process; times in microseconds since the epoch. Absent exit code or signal is -1; absent
     * entity ids are empty. An {@code open} process was still running when the recording ended (it
     * has exec or running records and no exit): its end is the recording's.
     */
    public record Proc(int pid, int ppid, String command, String user, String host, long startMicros, long endMicros,
            int exitCode, int signal, String entityId, String parentEntityId, boolean open) {
        /** A process that ended, of a recording without entity ids. */
        public Proc(int pid, int ppid, String command, String user, String host, long startMicros, long endMicros, int exitCode,
                int signal) {
            this(pid, ppid, command, user, host, startMicros, endMicros, exitCode, signal, "", "", false);
        }

        /** This process as an open bar from {@code start} to {@code end}: no exit status. */
        Proc openFrom(long start, long end) {
            return new Proc(pid, ppid, command, user, host, start, end, -1, -1, entityId, parentEntityId, true);
        }

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
            super(io.procmon.core.CommandNames.quotable(message, 300)); // it quotes the input: no control character may reach a terminal
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

    /** The longest line read (a JSON record is refused beyond 1 MiB anyway); longer input is refused, not buffered. */
    public static final int MAX_LINE_CHARS = ProcessRecord.MAX_CHARS;
    /** Times a report draws: from the epoch to the end of year 9999 (micros of later ones overflow). */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

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

    /**
     * Reads CSV or JSON Lines, told apart by the first character ({@code {} is JSON). A leading
     * byte-order mark is skipped. Input that is not UTF-8, or a line longer than
     * {@link #MAX_LINE_CHARS}, is a {@link BadInputException} naming its line, when the reader decodes
     * strictly (as {@code procmon report} does).
     */
    public static Recording read(Reader input) throws IOException, BadInputException {
        return read(new CheckedLines(input));
    }

    /**
     * Reads a recording's bytes, decoded strictly as UTF-8 here: bytes that are not UTF-8 are refused
     * with the line they are on.
     */
    public static Recording read(java.io.InputStream input) throws IOException, BadInputException {
        return read(new CheckedLines(input));
    }

    private static Recording read(CheckedLines lines) throws IOException, BadInputException {
        BufferedReader in = new BufferedReader(lines, 1 << 16);
        try {
            in.mark(2);
            int first = in.read();
            if (first == 0xfeff) {
                in.mark(1);
                first = in.read();
            }
            if (first == -1) {
                throw new BadInputException(0, "the input is empty", false);
            }
            in.reset();
            return first == '{' ? readJsonLines(in) : readCsv(in);
        } catch (CheckedLines.Refused e) {
            throw new BadInputException(e.line, "line " + e.line + ": " + e.getMessage(), false);
        } catch (java.io.UncheckedIOException e) {
            CheckedLines.Refused r = CheckedLines.Refused.in(e);
            if (r != null) {
                throw new BadInputException(r.line, "line " + r.line + ": " + r.getMessage(), false);
            }
            throw e;
        }
    }

    /**
     * The input as read, its lines counted and bounded: a line over {@link #MAX_LINE_CHARS} or bytes
     * that are not UTF-8 stop the reading with the line they are on, before anything holds them.
     */
    private static final class CheckedLines extends java.io.FilterReader {
        /** Why the input was refused, and on which line. */
        static final class Refused extends IOException {
            final long line;

            Refused(long line, String reason) {
                super(reason);
                this.line = line;
            }

            /** The refusal a parser wrapped (Commons CSV wraps what its reader throws, sometimes twice). */
            static Refused in(Throwable e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof Refused r) {
                        return r;
                    }
                }
                return null;
            }
        }

        private final java.io.InputStream bytes;
        private final java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        private final java.nio.ByteBuffer pending = java.nio.ByteBuffer.allocate(8192).flip();
        private boolean malformed;
        private boolean eof;
        private boolean flushed;
        private long line = 1;
        private long lineChars;

        CheckedLines(Reader in) {
            super(in);
            this.bytes = null;
        }

        /** Decodes {@code in} itself, so that bad bytes are known at their exact place. */
        CheckedLines(java.io.InputStream in) {
            super(Reader.nullReader());
            this.bytes = in;
        }

        @Override
        public int read() throws IOException {
            char[] one = new char[1];
            return read(one, 0, 1) == -1 ? -1 : one[0];
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n;
            try {
                n = bytes == null ? super.read(buf, off, len) : decode(buf, off, len);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new Refused(line, "not valid UTF-8");
            }
            for (int i = off; i < off + n; i++) {
                if (buf[i] == '\n') {
                    line++;
                    lineChars = 0;
                } else if (++lineChars > MAX_LINE_CHARS) {
                    throw new Refused(line, "longer than " + MAX_LINE_CHARS + " characters");
                }
            }
            return n;
        }

        /** Chars decoded before bad bytes are handed over first; the refusal comes at the next read, on their line. */
        private int decode(char[] buf, int off, int len) throws IOException {
            if (malformed) {
                throw new Refused(line, "not valid UTF-8");
            }
            if (flushed) {
                return -1; // a decoder that was flushed takes no more calls
            }
            java.nio.CharBuffer out = java.nio.CharBuffer.wrap(buf, off, len);
            while (out.position() == off) {
                java.nio.charset.CoderResult result = decoder.decode(pending, out, eof);
                if (result.isError()) {
                    malformed = true;
                    break;
                }
                if (result.isUnderflow()) {
                    if (eof) {
                        decoder.flush(out);
                        flushed = true;
                        break;
                    }
                    pending.compact();
                    int read = bytes.read(pending.array(), pending.position(), pending.remaining());
                    if (read < 0) {
                        eof = true;
                    } else {
                        pending.position(pending.position() + read);
                    }
                    pending.flip();
                }
            }
            int n = out.position() - off;
            if (n == 0 && malformed) {
                throw new Refused(line, "not valid UTF-8");
            }
            return n == 0 && eof ? -1 : n;
        }

        @Override
        public void close() throws IOException {
            if (bytes != null) {
                bytes.close();
            }
            super.close();
        }
    }

    /** A time in the range a report draws, else the reason it is not. */
    private static long checkedMicros(Instant t, String what) {
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new IllegalArgumentException(what + " " + t + " is not between 1970 and 9999");
        }
        return micros(t);
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
                long start;
                long end;
                try {
                    start = checkedMicros(e.startTime().get(), "the start");
                    end = e.kind() == ProcessEvent.Kind.EXIT ? checkedMicros(e.endTime().get(), "the end") : start;
                } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException bad) {
                    throw new BadInputException(lineNo, "line " + lineNo + ": " + bad.getMessage(), false);
                }
                if (end < start) {
                    throw new BadInputException(lineNo, "line " + lineNo + ": the process ends before it starts", false);
                }
                procs.add(new Proc(e.pid(), e.ppid(), e.command(), e.userName().orElse(Integer.toUnsignedString(e.uid())),
                        r.host().name(), start, end, e.exitStatus().orElse(-1), e.signal().orElse(-1), e.entityId().orElse(""),
                        e.parentEntityId().orElse(""), e.kind() != ProcessEvent.Kind.EXIT));
                lastEnd = Math.max(lastEnd, end);
            } else {
                LostEvents lost = r.lost().orElseThrow();
                if (!lost.origin().losesEvents()) {
                    continue; // processes reported without arguments: no gap in the timeline
                }
                gaps.add(new Gap(lastEnd == Long.MIN_VALUE ? -1 : lastEnd, lost.count(), lost.origin().label()));
            }
        }
        // A loss before any process is placed at the first start.
        long first = procs.stream().mapToLong(Proc::startMicros).min().orElse(0);
        gaps.replaceAll(g -> g.atMicros() < 0 ? new Gap(first, g.count(), g.origin()) : g);
        return new Recording(openToTheEnd(procs), gaps);
    }

    /**
     * A process known only from exec and running records (the {@code open} ones as read) is one
     * open bar, from its earliest record to the recording's end; one that also has an exit is
     * drawn by its exit alone. Records are the same process by entity id, or where the recording
     * has none, by host, pid and start.
     */
    static List<Proc> openToTheEnd(List<Proc> read) {
        long end = Long.MIN_VALUE;
        java.util.Set<String> ended = new java.util.HashSet<>();
        for (Proc p : read) {
            end = Math.max(end, p.endMicros());
            if (!p.open()) {
                ended.add(sameProcess(p));
            }
        }
        List<Proc> procs = new ArrayList<>(read.size());
        Map<String, Integer> open = new java.util.HashMap<>();
        for (Proc p : read) {
            if (!p.open()) {
                procs.add(p);
                continue;
            }
            String key = sameProcess(p);
            if (ended.contains(key)) {
                continue;
            }
            Integer at = open.get(key);
            if (at == null) {
                open.put(key, procs.size());
                procs.add(p.openFrom(p.startMicros(), end));
            } else if (p.startMicros() < procs.get(at).startMicros()) {
                procs.set(at, procs.get(at).openFrom(p.startMicros(), end));
            }
        }
        return procs;
    }

    /** A process's key across its records: its entity id, or without one, host, pid and exec'd start. */
    private static String sameProcess(Proc p) {
        return p.entityId().isEmpty() ? p.host() + '\0' + p.pid() + '\0' + p.startMicros() : p.entityId();
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
        boolean hasKinds = csv.has(Column.EVENT);
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
                CheckedLines.Refused refused = CheckedLines.Refused.in(e);
                if (refused != null) {
                    throw refused;
                }
                throw new BadInputException(line + 1, "after line " + line + ": " + e.getMessage(), false);
            }
            line = r.line();
            try {
                long start = checkedMicros(Instant.parse(r.get(Column.START_TIME)), Column.START_TIME.header());
                long end;
                ProcessEvent.Kind kind = !hasKinds ? ProcessEvent.Kind.EXIT : ProcessEvent.Kind.ofLabel(r.get(Column.EVENT))
                        .orElseThrow(() -> new IllegalArgumentException(Column.EVENT.header() + " is not exit, exec or running"));
                boolean open = kind != ProcessEvent.Kind.EXIT;
                if (open) {
                    end = start;
                } else if (hasEnd) {
                    end = checkedMicros(Instant.parse(r.get(Column.END_TIME)), Column.END_TIME.header());
                } else {
                    double millis = Double.parseDouble(r.get(Column.DURATION_MS));
                    if (!(millis >= 0 && millis < 1e15)) { // NaN and infinities fail too
                        throw new IllegalArgumentException(Column.DURATION_MS.header() + " " + r.get(Column.DURATION_MS)
                                + " is not a duration");
                    }
                    end = Math.addExact(start, Math.round(millis * 1000));
                }
                if (end < start) {
                    throw new IllegalArgumentException("it ends before it starts");
                }
                procs.add(new Proc(Integer.parseInt(r.get(Column.PID)), Integer.parseInt(r.get(Column.PPID)), r.get(Column.COMMAND),
                        r.get(Column.USER), r.get(Column.HOST), start, end, intCell(r, Column.EXIT_CODE), intCell(r, Column.SIGNAL),
                        r.get(Column.ENTITY_ID), r.get(Column.PARENT_ENTITY_ID), open));
            } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
                throw new BadInputException(line, "line " + line + ": " + e.getMessage(), false);
            }
        }
        return new Recording(openToTheEnd(procs), List.of());
    }

    private static int intCell(CsvReader.Row r, Column column) {
        String v = r.get(column);
        return v.isEmpty() ? -1 : Integer.parseInt(v);
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
