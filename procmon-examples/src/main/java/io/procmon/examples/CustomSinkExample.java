package io.procmon.examples;

import io.procmon.bpf.BpfEventSource;
import io.procmon.core.Monitor;

/**
 * procmon as a library: print every process that ran longer than a second, for ten seconds.
 * Run as root: {@code java -cp procmon.jar io.procmon.examples.CustomSinkExample}.
 */
public final class CustomSinkExample {
    private CustomSinkExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (Monitor monitor = Monitor.builder(new BpfEventSource())
                .sink(event -> {
                    if (event.duration().toMillis() > 1_000) {
                        System.out.printf("%s (pid %d, user %s) ran %d ms%n", event.command(), event.pid(),
                                event.userName().orElse("?"), event.duration().toMillis());
                    }
                })
                .build()) {
            monitor.start();
            Thread.sleep(10_000);
        }
    }
}
