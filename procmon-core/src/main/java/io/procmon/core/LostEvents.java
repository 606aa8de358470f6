package io.procmon.core;

/**
 * A notice that events were dropped before reaching the sinks.
 *
 * @param origin where they were dropped
 * @param cpu the CPU whose kernel buffer dropped them, or {@link #NO_CPU} when not per CPU
 * @param count how many events were dropped since the previous notice of the same origin and CPU
 */
public record LostEvents(Origin origin, int cpu, long count) {
    /** {@link #cpu()} of a notice that is not tied to one CPU. */
    public static final int NO_CPU = -1;

    public LostEvents {
        if (origin == null) {
            throw new IllegalArgumentException("origin is required");
        }
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
    }

    /** Where events were lost. */
    public enum Origin {
        /** The kernel could not put the event in the per-CPU buffer (the reader fell behind). */
        KERNEL_BUFFER,
        /** The kernel saw the exit but not the exec (start record missing: map full or insert failed). */
        KERNEL_START_RECORD,
        /** The monitor's dispatch queue was full (sinks fell behind); the source thread was never blocked. */
        DISPATCH_QUEUE,
        /** A sink could not deliver records it received (its queue was full or its destination stayed away). */
        SINK,
        /**
         * Not events: the arguments of processes still running, let go to keep the arguments held
         * for them within their byte bound (a user's long command lines). Those processes are still
         * reported, their arguments missing; {@link #count} is how many processes.
         */
        ARGUMENTS;

        /** Whether notices of this origin count events lost (all but {@link #ARGUMENTS}). */
        public boolean losesEvents() {
            return this != ARGUMENTS;
        }

        /** The name records and metrics give this origin: {@code kernel_buffer}, {@code sink}... */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return count + (origin.losesEvents() ? " events lost (" : " processes' arguments dropped (") + origin.label()
                + (cpu == NO_CPU ? "" : ", cpu " + cpu) + ")";
    }
}
