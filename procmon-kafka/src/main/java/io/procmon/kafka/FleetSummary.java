package io.procmon.kafka;

import io.procmon.schema.ProcessRecord;
import io.procmon.schema.SequenceTracker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The accounting of a fleet across the JSON Lines files of several collectors (one consumer group,
 * each collector its own file): per host and run, the records received, the sequence numbers
 * missing, the losses announced, and the duplicates, a record written by a collector that was
 * killed before committing it and again by the one that took its partition over. Every file is
 * read as hostile input, each line through the collector's own intake: a line that is not a record
 * (too long, torn by a writer killed mid-write, not JSON) is counted and named, never fatal.
 */
public final class FleetSummary {
    private final RecordIntake intake;
    private long torn;

    private FleetSummary(RecordIntake intake) {
        this.intake = intake;
    }

    /** Told of each line that is not a record, and of each run retired to stay within the runs tracked. */
    public interface Listener {
        /** A line that is not a record: the reason, and {@code FILE:LINE}. */
        void onMalformed(String reason, String where);

        /** As {@link FleetCollector.Handler#onRetired}. */
        default void onRetired(String run, SequenceTracker figures) {
        }
    }

    /**
     * Reads {@code files} in order; a record seen in an earlier file, or earlier in the same one,
     * counts as a duplicate.
     *
     * @throws IOException when a file cannot be opened or read
     */
    public static FleetSummary read(List<Path> files, Listener listener) throws IOException {
        FleetSummary summary = new FleetSummary(new RecordIntake(new FleetCollector.Handler() {
            @Override
            public void onRecord(ProcessRecord record, String json) {
            }

            @Override
            public boolean needsJson() {
                return false;
            }

            @Override
            public void onMalformed(String reason, String where) {
                listener.onMalformed(reason, where);
            }

            @Override
            public void onRetired(String run, SequenceTracker figures) {
                listener.onRetired(run, figures);
            }

            @Override
            public void flush() {
            }
        }));
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                summary.readLines(in, file.toString());
            }
        }
        return summary;
    }

    private void readLines(InputStream in, String name) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        Line line = new Line();
        long number = 1;
        for (int n; (n = in.read(buffer)) > 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    line.take(buffer, start, i - start);
                    long at = number++;
                    if (line.tooLong) {
                        intake.refuse("longer than " + ProcessRecord.MAX_CHARS + " bytes", () -> name + ":" + at);
                    } else {
                        intake.accept(Arrays.copyOf(line.bytes, line.length), false, () -> name + ":" + at);
                    }
                    line.clear();
                    start = i + 1;
                }
            }
            line.take(buffer, start, n - start);
        }
        if (line.length > 0 || line.tooLong) {
            torn++;
            long at = number;
            intake.refuse("the file ends inside a line (its writer stopped mid-write)", () -> name + ":" + at);
        }
    }

    /** One line's bytes so far, never more than {@link ProcessRecord#MAX_CHARS}: past that only the fact is kept. */
    private static final class Line {
        byte[] bytes = new byte[4096];
        int length;
        boolean tooLong;

        void take(byte[] from, int offset, int count) {
            if (tooLong || length + count > ProcessRecord.MAX_CHARS) {
                tooLong = true; // what follows up to the line's end is skipped, never held
                return;
            }
            if (length + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
            }
            System.arraycopy(from, offset, bytes, length, count);
            length += count;
        }

        void clear() {
            length = 0;
            tooLong = false;
        }
    }

    /** Per host and run ({@code host (run RUN)}), what the files hold together. */
    public Map<String, SequenceTracker> runs() {
        return intake.runs();
    }

    /** Lines of any kind read. */
    public long lines() {
        return intake.received();
    }

    /** Lines that were not records, torn ones included. */
    public long malformed() {
        return intake.malformed();
    }

    /** Runs retired to stay within those tracked (each told to the listener). */
    public long retired() {
        return intake.retired();
    }

    /** Files that ended inside a line. */
    public long torn() {
        return torn;
    }
}
