package io.procmon.csv;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads what a {@link CsvSink} wrote, in its format: the header names the {@link Column}s (by
 * {@link Column#header()}, any order, any subset; names it does not know are skipped), and each
 * row's cells are read by column. Not thread-safe.
 */
public final class CsvReader implements Iterable<CsvReader.Row> {
    private final CSVParser parser;
    private final Map<Column, Integer> positions = new EnumMap<>(Column.class);
    private final int width;

    private CsvReader(CSVParser parser) {
        this.parser = parser;
        java.util.List<String> header = parser.getHeaderNames();
        this.width = header.size();
        for (int i = 0; i < header.size(); i++) {
            int at = i;
            Column.fromHeader(header.get(i)).ifPresent(c -> positions.putIfAbsent(c, at));
        }
    }

    /**
     * Reads the header line; the rows follow as they are iterated.
     *
     * @throws IllegalArgumentException when the header is not CSV (a quote not closed, text after one)
     * @throws IOException when reading fails
     */
    public static CsvReader of(Reader in) throws IOException {
        try {
            return new CsvReader(CSVParser.parse(in, CsvSink.FORMAT.builder().setHeader().setSkipHeaderRecord(true).get()));
        } catch (org.apache.commons.csv.CSVException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // the input's fault, not the reading's
        }
    }

    /** The columns the header names. */
    public Set<Column> columns() {
        return Collections.unmodifiableSet(positions.keySet());
    }

    public boolean has(Column column) {
        return positions.containsKey(column);
    }

    /**
     * The rows, in the file's order.
     *
     * @throws IllegalArgumentException from {@code next()} for a row whose cells do not match the
     *     header, naming its line
     * @throws UncheckedIOException from {@code next()} when reading fails or the quoting is broken
     */
    @Override
    public Iterator<Row> iterator() {
        Iterator<CSVRecord> records = parser.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Row next() {
                CSVRecord r = records.next();
                long line = parser.getCurrentLineNumber();
                if (r.size() != width) {
                    throw new IllegalArgumentException("line " + line + ": " + r.size() + " cells where the header has " + width);
                }
                return new Row(r, line);
            }
        };
    }

    /** One row. */
    public final class Row {
        private final CSVRecord record;
        private final long line;

        private Row(CSVRecord record, long line) {
            this.record = record;
            this.line = line;
        }

        /** The line it ends on (the header is line 1). */
        public long line() {
            return line;
        }

        /** The cell of {@code column}; empty when the file has no such column, as for a value not applicable. */
        public String get(Column column) {
            Integer at = positions.get(column);
            return at == null ? "" : record.get(at);
        }
    }
}
