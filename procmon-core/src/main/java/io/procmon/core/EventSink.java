package io.procmon.core;

/**
 * Receives process events from a {@link Monitor}.
 *
 * <p>Threading contract: every method is called on the monitor's single dispatch thread, in event
 * order, never concurrently. A sink must not block for long: a slow sink delays the others and,
 * once the monitor's queue is full, causes counted {@link LostEvents.Origin#DISPATCH_QUEUE} losses
 * (the kernel reader is never stalled). A sink that throws is logged once, counted, and keeps
 * receiving events; the other sinks are not affected.
 *
 * <p>Only {@link #onEvent} is required; a lambda is a sink.
 */
@FunctionalInterface
public interface EventSink extends AutoCloseable {

    /** One finished process, with its user name resolved. */
    void onEvent(ProcessEvent event);

    /** Events were lost before reaching this sink. */
    default void onLost(LostEvents lost) {
    }

    /**
     * Make everything received so far durable/visible. Called when events pause, at a bounded
     * interval while they flow, about once a second while none come (unless {@link #flushesWhenIdle()}
     * says it is not needed), and before {@link #close()}.
     */
    default void flush() {
    }

    /**
     * Whether {@link #flush()} has work of its own while no event comes (a Kafka sink announces
     * the losses its sender found). False lets an idle monitor's dispatcher sleep until the next
     * event instead of waking once a second. Asked once, when the monitor is built.
     */
    default boolean flushesWhenIdle() {
        return true;
    }

    /**
     * Open the output anew at the same place, after log rotation moved or emptied it: records
     * received so far stay in the old output, later ones go to the new one, none is torn. Called on
     * the dispatch thread between records when {@link Monitor#reopenSinks()} asks (the monitor
     * command does on SIGHUP). A sink without such an output does nothing.
     */
    default void reopen() {
    }

    /**
     * Why this sink cannot deliver what it receives now (its sender thread died, say), or empty
     * while it can. For health checks: called on any thread, must be cheap and must not throw.
     */
    default java.util.Optional<String> failure() {
        return java.util.Optional.empty();
    }

    /** Called once by the monitor after the final {@link #flush()}. */
    @Override
    default void close() {
    }
}
