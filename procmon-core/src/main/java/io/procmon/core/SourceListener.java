package io.procmon.core;

/**
 * What an {@link EventSource} reports to. Implementations must be fast and must not throw: they are
 * called on the source's reader thread.
 */
public interface SourceListener {
    void onEvent(ProcessEvent event);

    void onLost(LostEvents lost);
}
