package io.procmon.core;

/** An event source could not start or failed while running. The message is meant for a user. */
public class EventSourceException extends RuntimeException {
    public EventSourceException(String message) {
        super(message);
    }

    public EventSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
