package io.procmon.core;

/**
 * Produces process events, for example from the kernel. The eBPF engine implements it; tests
 * implement it with a fake or a mock.
 *
 * <p>Contract: {@link #start(SourceListener)} is called once; from then on the source calls the
 * listener from its own thread(s) until {@link #close()} returns. {@code close()} stops the source,
 * delivers everything the source already produced, releases its resources, and is idempotent.
 */
public interface EventSource extends AutoCloseable {

    /**
     * Starts delivering events to {@code listener}.
     *
     * @throws EventSourceException when the source cannot start; nothing is left running then
     */
    void start(SourceListener listener);

    /** Stops, delivers what was already produced, and releases everything. Idempotent. */
    @Override
    void close();
}
