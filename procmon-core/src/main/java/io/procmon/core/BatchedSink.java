package io.procmon.core;

/** A sink that formats records into a {@link BatchedOutput}: flushing and closing are the output's. */
public abstract class BatchedSink implements EventSink {
    /** Where records go. */
    protected final BatchedOutput out;

    protected BatchedSink(BatchedOutput out) {
        this.out = out;
    }

    /** Writes every whole record received so far. */
    @Override
    public void flush() {
        out.flush();
    }

    /** Nothing to do while no record comes: everything written was flushed when records paused. */
    @Override
    public boolean flushesWhenIdle() {
        return false;
    }

    /** Reopens a file output at its path, between records ({@link BatchedOutput#reopen()}). */
    @Override
    public void reopen() {
        out.reopen();
    }

    /** Flushes and closes the output. Idempotent. */
    @Override
    public void close() {
        out.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + out + "]";
    }
}
