package io.procmon.csv;

import io.procmon.core.BatchedOutput;
import io.procmon.core.BatchedSink;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * Writes one CSV row per process, by default in the original procmon format:
 * <pre>
 * PID,PPID,USER,COMMAND,DURATION_MS
 * 1234,1200,root,bash,1520.34
 * </pre>
 * Other {@link Column}s can be chosen; the header always names them. RFC 4180 quoting (by Apache
 * Commons CSV), {@code \n} line ends, UTF-8. The duration has two decimals and a dot whatever the
 * locale. The command follows {@link io.procmon.core.CommandNames}: bytes that are not UTF-8
 * appear as {@code \xNN}. Values are never altered to defuse spreadsheet formulas (a leading
 * {@code =} stays), so every name parses back exactly.
 *
 * <p>Rows are written whole and in batches ({@link BatchedOutput}). Not thread-safe: the monitor
 * calls it from one thread.
 */
public final class CsvSink extends BatchedSink {
    /** The original header. */
    public static final List<String> HEADER = Column.ORIGINAL.stream().map(Column::header).toList();

    /** How to treat an existing output file. */
    public enum WriteMode {
        /** Empty it first. */
        TRUNCATE,
        /** Add rows at its end; the header is written only if the file is empty. */
        APPEND
    }

    static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            .setRecordSeparator('\n')
            .setQuoteMode(QuoteMode.MINIMAL)
            .get();

    private final CSVPrinter printer;
    private final List<Column> columns;
    private volatile long rowsWritten;

    private CsvSink(BatchedOutput out, List<Column> columns) {
        super(out);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("at least one column is needed");
        }
        this.columns = List.copyOf(columns);
        try {
            this.printer = new CSVPrinter(out.buffer(), FORMAT);
        } catch (IOException e) {
            throw new AssertionError("StringBuilder cannot fail", e);
        }
        if (out.startsEmpty()) {
            writeHeader();
        }
    }

    private void writeHeader() {
        try {
            printer.printRecord(columns.stream().map(Column::header).toList());
        } catch (IOException e) {
            throw new AssertionError("StringBuilder cannot fail", e);
        }
        out.flush();
    }

    /** Reopens the file after rotation; a new or emptied file gets the header first. */
    @Override
    public void reopen() {
        if (out.reopen()) {
            writeHeader();
        }
    }

    /**
     * Opens {@code file} for the original five columns. A new file gets mode 0600; a symbolic link
     * is refused.
     *
     * @throws IOException when the file cannot be opened; the message names the file and the cause
     */
    public static CsvSink open(Path file, WriteMode mode) throws IOException {
        return open(file, mode, Column.ORIGINAL);
    }

    /** Opens {@code file} for the given columns; see {@link #open(Path, WriteMode)}. */
    public static CsvSink open(Path file, WriteMode mode, List<Column> columns) throws IOException {
        return new CsvSink(BatchedOutput.open(file, mode == WriteMode.APPEND ? BatchedOutput.WriteMode.APPEND
                : BatchedOutput.WriteMode.TRUNCATE), columns);
    }

    /** Writes to a stream, such as standard output; the header first. The stream is closed with the sink. */
    public static CsvSink to(OutputStream stream) {
        return to(stream, Column.ORIGINAL);
    }

    /** Writes the given columns into an output already open (the header first when it is empty); closed with the sink. */
    public static CsvSink into(BatchedOutput out, List<Column> columns) {
        return new CsvSink(out, columns);
    }

    /** Writes the given columns to a stream; see {@link #to(OutputStream)}. */
    public static CsvSink to(OutputStream stream, List<Column> columns) {
        return new CsvSink(BatchedOutput.of(stream, "output stream"), columns);
    }

    @Override
    public void onEvent(ProcessEvent event) {
        StringBuilder row = out.buffer();
        try {
            for (int i = 0; i < columns.size(); i++) {
                Column column = columns.get(i);
                if (column.isPlain()) {
                    // Numbers: appended straight to the row, the monitor's hottest code.
                    if (i > 0) {
                        row.append(',');
                    }
                    column.appendPlain(event, row);
                    continue;
                }
                String value = column.valueOf(event);
                if (plain(value)) {
                    // Most cells (numbers, plain names) need no quoting: skip the general printer, the monitor's hottest code.
                    if (i > 0) {
                        row.append(',');
                    }
                    row.append(value);
                } else {
                    FORMAT.print(value, row, i == 0);
                }
            }
            FORMAT.println(row);
        } catch (IOException e) {
            throw new AssertionError("StringBuilder cannot fail", e);
        }
        rowsWritten++;
        out.recordsAdded();
    }

    /**
     * Whether a cell prints as itself under {@link #FORMAT}: an ASCII letter or digit first, then only
     * letters, digits and {@code . _ : / + -}. Anything else goes through Commons CSV, which decides.
     */
    static boolean plain(String value) {
        if (value == null || value.isEmpty() || !Character.isLetterOrDigit(value.charAt(0)) || value.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Rows handed to the sink so far (header not counted). */
    public long rowsWritten() {
        return rowsWritten;
    }
}
