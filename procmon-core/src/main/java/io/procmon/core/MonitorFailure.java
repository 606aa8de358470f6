package io.procmon.core;

/**
 * Why a {@link Monitor} cannot go on recording as configured: its source stopped for good, or a
 * sink added with {@link SinkFailurePolicy#STOP} failed.
 *
 * @param sink the failed sink's name, or null when the source failed
 * @param cause what was thrown
 */
public record MonitorFailure(String sink, Throwable cause) {
    /** Whether the event source failed (rather than a sink). */
    public boolean sourceFailed() {
        return sink == null;
    }

    /** One line for a user: "cannot write to sink file: No space left on device". */
    public String message() {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return sourceFailed() ? reason : "cannot write to sink " + sink + ": " + reason;
    }
}
