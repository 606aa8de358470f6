package io.procmon.core;

/**
 * What an {@link EventSource} reports to. Implementations must be fast and must not throw: they are
 * called on the source's reader thread.
 */
public interface SourceListener {
    void onEvent(ProcessEvent event);

    void onLost(LostEvents lost);

    /**
     * The source stopped producing events for good while running (its reader died): it reports
     * nothing more. Called at most once, on the source's thread, before that thread ends.
     */
    default void onFailure(EventSourceException failure) {
    }
}
