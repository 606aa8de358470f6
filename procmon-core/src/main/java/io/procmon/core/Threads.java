package io.procmon.core;

/** Thread helpers shared by procmon's modules; not part of the event API. */
public final class Threads {
    private Threads() {
    }

    /** Waits for {@code thread} to end, keeping the caller's interrupt status for afterwards. */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
