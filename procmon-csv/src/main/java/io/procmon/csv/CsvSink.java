package io.procmon.csv;

import io.procmon.core.EventSink;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * Writes one CSV row per process in the original procmon format:
 * <pre>
 * PID,PPID,USER,COMMAND,DURATION_MS
 * 1234,1200,root,bash,1520.34
 * </pre>
 * RFC 4180 quoting (by Apache Commons CSV), {@code \n} line ends, UTF-8. The duration has two
 * decimals and a dot whatever the locale. The command follows {@link io.procmon.core.CommandNames}:
 * bytes that are not UTF-8 appear as {@code \xNN}. Values are never altered to defuse spreadsheet
 * formulas (a leading {@code =} stays), so every name parses back exactly.
 *
 * <p>Rows are built in memory and written only whole, in batches, when the buffer fills or the
 * monitor calls {@link #flush()}: a reader of the file never sees a torn row, and many rows cost one
 * write. Not thread-safe: the monitor calls it from one thread.
 */
public final class CsvSink implements EventSink {
    /** The header, also the column order. */
    public static final List<String> HEADER = List.of("PID", "PPID", "USER", "COMMAND", "DURATION_MS");

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
    private static final int BATCH_CHARS = 64 * 1024;

    private final Output out;
    private final StringBuilder pending = new StringBuilder(BATCH_CHARS + 1024);
    private final CSVPrinter printer;
    private final String name;
    private long rowsWritten;
    private boolean closed;

    private CsvSink(Output out, boolean writeHeader, String name) {
        this.out = out;
        this.name = name;
        try {
            this.printer = new CSVPrinter(pending, FORMAT);
            if (writeHeader) {
                printer.printRecord(HEADER);
                writePending();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code file} for writing. A new file gets mode 0600. A symbolic link at {@code file} is
     * refused (so a link planted in a shared directory cannot redirect root's output).
     *
     * @throws IOException when the file cannot be opened; the message names the file and the cause
     */
    public static CsvSink open(Path file, WriteMode mode) throws IOException {
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                LinkOption.NOFOLLOW_LINKS));
        options.add(mode == WriteMode.APPEND ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + ": is a symbolic link; refusing to follow it");
        }
        var channel = Files.newByteChannel(file, options,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        boolean empty = channel.size() == 0;
        Output output = new Output() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
        return new CsvSink(output, mode == WriteMode.TRUNCATE || empty, file.toString());
    }

    /** Writes to a stream, such as standard output; the header first. The stream is closed with the sink. */
    public static CsvSink to(OutputStream stream) {
        Output output = new Output() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                // One write call per batch: a channel adapter would split it into 8 KiB pieces.
                stream.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                stream.flush();
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
        return new CsvSink(output, true, "output stream");
    }

    @Override
    public void onEvent(ProcessEvent event) {
        try {
            printer.printRecord(event.pid(), event.ppid(), event.userName().orElseGet(() -> Integer.toUnsignedString(event.uid())),
                    event.command(), formatMillis(event.durationNanos()));
        } catch (IOException e) {
            throw new AssertionError("StringBuilder cannot fail", e);
        }
        rowsWritten++;
        if (pending.length() >= BATCH_CHARS) {
            flush();
        }
    }

    /** Writes every complete row received so far. */
    @Override
    public void flush() {
        if (pending.length() > 0 && !closed) {
            try {
                writePending();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /** Rows handed to the sink so far (header not counted). */
    public long rowsWritten() {
        return rowsWritten;
    }

    private void writePending() throws IOException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(pending));
        pending.setLength(0);
        out.write(bytes);
    }

    /** Where whole batches of rows go. */
    private interface Output {
        void write(ByteBuffer bytes) throws IOException;

        void close() throws IOException;
    }

    /**
     * Nanoseconds as milliseconds with two decimals, rounded half up, always with a dot: the
     * locale-independent and allocation-light equivalent of {@code String.format(Locale.ROOT, "%.2f")}.
     */
    static String formatMillis(long nanos) {
        long hundredths = (nanos + 5_000) / 10_000;
        long whole = hundredths / 100;
        int frac = (int) (hundredths % 100);
        return whole + (frac < 10 ? ".0" : ".") + frac;
    }

    @Override
    public String toString() {
        return "CsvSink[" + name + "]";
    }
}
