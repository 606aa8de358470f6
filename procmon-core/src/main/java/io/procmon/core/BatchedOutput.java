package io.procmon.core;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where a sink's records go: text is gathered in memory and written only as whole records, in
 * batches of up to 64 KiB, one write call per batch. A reader of the file never sees a torn
 * record, and many records cost one system call. When a write to a file fails part-way (disk full,
 * I/O error) the file is cut back to its length before the batch, so it always ends with a whole
 * record; the output then refuses further writes. Not thread-safe.
 */
public final class BatchedOutput implements AutoCloseable {
    /** How to treat an existing output file. */
    public enum WriteMode {
        /** Empty it first. */
        TRUNCATE,
        /** Add at its end (O_APPEND, so log rotation by copytruncate works). */
        APPEND
    }

    private static final int BATCH_CHARS = 64 * 1024;

    private Target target;
    /** The file's path, to reopen it; null for a stream. */
    private final Path file;
    private final StringBuilder pending = new StringBuilder(BATCH_CHARS + 1024);
    /** Records added as UTF-8 ({@link #appendLine}), after the text of {@link #pending} before them. */
    private byte[] pendingBytes = new byte[0];
    private int pendingByteCount;
    private final String name;
    private final boolean startsEmpty;
    private boolean closed;
    private boolean failed;

    private BatchedOutput(Target target, Path file, boolean startsEmpty) {
        this.target = target;
        this.file = file;
        this.name = file.toString();
        this.startsEmpty = startsEmpty;
    }

    private BatchedOutput(Target target, String name, boolean startsEmpty) {
        this.target = target;
        this.file = null;
        this.name = name;
        this.startsEmpty = startsEmpty;
    }

    /**
     * Opens {@code file} safely for root in directories other users may write: see
     * {@link OutputFiles#openForWriting}. A new file gets mode 0600.
     *
     * @throws IOException naming the file and the cause
     */
    public static BatchedOutput open(Path file, WriteMode mode) throws IOException {
        java.nio.channels.FileChannel channel = OutputFiles.openForWriting(file, mode == WriteMode.APPEND);
        return new BatchedOutput(fileTarget(channel), file, channel.size() == 0);
    }

    private static Target fileTarget(java.nio.channels.FileChannel channel) {
        return new Target() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                long before = channel.size();
                try {
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                } catch (IOException e) {
                    cutBackTo(before, e);
                    throw e;
                }
            }

            /** Drops the part of a batch that did reach the file: a torn record must not stay. */
            private void cutBackTo(long length, IOException cause) {
                try {
                    if (channel.size() > length) {
                        channel.truncate(length);
                    }
                } catch (IOException truncateFailed) {
                    cause.addSuppressed(truncateFailed);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /**
     * After log rotation: writes every whole record added so far to the file open now, closes it and
     * opens its path anew, appending (a rotated-away file is made again, with mode 0600; a file
     * emptied by copytruncate is written from its start). Nothing is lost or torn: the switch is
     * between records. An output to a stream stays as it is.
     *
     * @return whether the file now open is empty (a header belongs at its start); false for a stream
     * @throws UncheckedIOException when the path cannot be opened again; the output then refuses writes
     */
    public boolean reopen() {
        if (file == null || closed) {
            return false;
        }
        flush();
        java.nio.channels.FileChannel channel;
        boolean empty;
        try {
            channel = OutputFiles.openForWriting(file, true);
            empty = channel.size() == 0;
        } catch (IOException e) {
            failed = true;
            throw new UncheckedIOException("cannot reopen " + name + " after rotation: " + e.getMessage(), e);
        }
        Target previous = target;
        target = fileTarget(channel);
        try {
            previous.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + name + " before reopening it: " + e.getMessage(), e);
        }
        return empty;
    }

    /** Writes to a stream, such as standard output; closed with this output. */
    public static BatchedOutput of(OutputStream stream, String name) {
        Target target = new Target() {
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
        return new BatchedOutput(target, name, true);
    }

    /** Whether the output was empty when opened (a header belongs at its start). */
    public boolean startsEmpty() {
        return startsEmpty;
    }

    /** The buffer to append one or more whole records to; then call {@link #recordsAdded()}. */
    public StringBuilder buffer() {
        return pending;
    }

    /** Writes the batch once it is full. */
    public void recordsAdded() {
        if (pending.length() + pendingByteCount >= BATCH_CHARS) {
            flush();
        }
    }

    /**
     * Adds one whole record given as UTF-8 text, and a line end, then does as {@link #recordsAdded()}:
     * a record already encoded (shared by several outputs) is not made text again.
     */
    public void appendLine(byte[] utf8) {
        if (pending.length() > 0) {
            encodePending(); // the text added before it stays before it
        }
        ensureBytes(pendingByteCount + utf8.length + 1);
        System.arraycopy(utf8, 0, pendingBytes, pendingByteCount, utf8.length);
        pendingByteCount += utf8.length;
        pendingBytes[pendingByteCount++] = '\n';
        recordsAdded();
    }

    private void encodePending() {
        // Through a String: its encoder has a fast path for Latin-1 text, the CharBuffer route has none.
        byte[] encoded = pending.toString().getBytes(StandardCharsets.UTF_8);
        pending.setLength(0);
        ensureBytes(pendingByteCount + encoded.length);
        System.arraycopy(encoded, 0, pendingBytes, pendingByteCount, encoded.length);
        pendingByteCount += encoded.length;
    }

    private void ensureBytes(int size) {
        if (size > pendingBytes.length) {
            pendingBytes = java.util.Arrays.copyOf(pendingBytes, Math.max(size, BATCH_CHARS + 4096));
        }
    }

    /** Writes every whole record added so far. */
    public void flush() {
        if ((pending.length() == 0 && pendingByteCount == 0) || closed) {
            return;
        }
        if (failed) {
            // After a failed write a later batch would leave a hole of lost records inside the file.
            pending.setLength(0);
            pendingByteCount = 0;
            throw new UncheckedIOException(new IOException("an earlier write to " + name + " failed"));
        }
        ByteBuffer bytes;
        if (pendingByteCount == 0) {
            bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            pending.setLength(0);
        } else {
            if (pending.length() > 0) {
                encodePending();
            }
            bytes = ByteBuffer.wrap(pendingBytes, 0, pendingByteCount);
        }
        try {
            target.write(bytes);
        } catch (IOException e) {
            failed = true;
            throw new UncheckedIOException("cannot write to " + name + ": " + e.getMessage(), e);
        } finally {
            pendingByteCount = 0;
        }
    }

    /** Flushes and closes. Idempotent. */
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
                target.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private interface Target {
        void write(ByteBuffer bytes) throws IOException;

        void close() throws IOException;
    }
}
