package io.procmon.examples;

import java.util.concurrent.atomic.AtomicInteger;

/** What every procmon command sets up the same way: logging, and what Ctrl+C does. */
final class CliSetup {
    private CliSetup() {
    }

    /**
     * slf4j-simple to standard error, warnings only unless {@code debug}. The Kafka client logs every
     * failed connection: procmon reports outages and losses itself, so its logs are off unless debugging.
     * Must run before any logger exists (slf4j-simple reads these once).
     */
    static void logging(boolean debug) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", debug ? "debug" : "off");
    }

    /** The signals that stop a command: SIGINT, SIGTERM and SIGHUP. */
    static final String[] STOP_SIGNALS = {"INT", "TERM", "HUP"};

    /**
     * SIGHUP: {@code reopen}, as log rotation asks (logrotate's postrotate, {@code systemctl reload});
     * register it before {@link #onStopSignals} with the other signals only.
     */
    static void onReopenSignal(Runnable reopen) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> reopen.run());
    }

    /**
     * First of {@code signals} (names such as {@code INT}): {@code stop} (stop and drain). Second: {@code beforeHalt}, then
     * leave at once with {@link ExitCode#FORCED}. Java has no public API for this (a shutdown hook
     * cannot see a second signal); sun.misc.Signal, in jdk.unsupported, is the supported way, hence
     * the compiler's warning.
     */
    static void onStopSignals(String[] signalNames, Runnable stop, Runnable beforeHalt) {
        AtomicInteger signals = new AtomicInteger();
        for (String name : signalNames) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                if (signals.incrementAndGet() == 1) {
                    stop.run();
                } else {
                    beforeHalt.run();
                    Runtime.getRuntime().halt(ExitCode.FORCED.code);
                }
            });
        }
    }
}
