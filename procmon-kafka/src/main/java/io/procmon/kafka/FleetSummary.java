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
        byte[] line = new byte[4096];
        int length = 0;
        boolean tooLong = false;
        long number = 1;
        for (int n; (n = in.read(buffer)) > 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] != '\n') {
                    continue;
                }
                int part = i - start;
                if (!tooLong && length + part > ProcessRecord.MAX_CHARS) {
                    tooLong = true;
                }
                if (!tooLong) {
                    line = append(line, length, buffer, start, part);
                    length += part;
                }
                long at = number++;
                if (tooLong) {
                    intake.refuse("longer than " + ProcessRecord.MAX_CHARS + " bytes", () -> name + ":" + at);
                } else {
                    intake.accept(Arrays.copyOf(line, length), false, () -> name + ":" + at);
                }
                length = 0;
                tooLong = false;
                start = i + 1;
            }
            int rest = n - start;
            if (!tooLong && length + rest > ProcessRecord.MAX_CHARS) {
                tooLong = true; // what follows up to the line's end is skipped, never held
            }
            if (!tooLong) {
                line = append(line, length, buffer, start, rest);
                length += rest;
            }
        }
        if (length > 0 || tooLong) {
            torn++;
            long at = number;
            intake.refuse("the file ends inside a line (its writer stopped mid-write)", () -> name + ":" + at);
        }
    }

    private static byte[] append(byte[] line, int length, byte[] from, int offset, int count) {
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(from, offset, line, length, count);
        return line;
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
