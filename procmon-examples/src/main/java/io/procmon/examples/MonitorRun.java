package io.procmon.examples;

import io.procmon.bpf.BpfEventSource;
import io.procmon.bpf.BpfException;
import io.procmon.bpf.BpfOptions;
import io.procmon.bpf.Preflight;
import io.procmon.core.EventSink;
import io.procmon.core.EventSource;
import io.procmon.core.Monitor;
import io.procmon.core.MonitorFailure;
import io.procmon.core.MonitorStats;
import io.procmon.core.ServiceNotifier;
import io.procmon.core.SinkFailurePolicy;
import io.procmon.core.UserNameResolver;
import io.procmon.kafka.KafkaProbe;
import io.procmon.kafka.KafkaSink;
import io.procmon.kafka.KafkaSinkConfig;
import io.procmon.metrics.MetricsServer;
import io.procmon.schema.ProcessRecords;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The monitor's job, from a {@link ProcmonCommand.Plan}: open the outputs, attach, show the status
 * line until a signal or a failure that stops it, drain, and say how it went in one summary line and
 * an {@link ExitCode}.
 */
final class MonitorRun {
    private final ProcmonCommand.Plan plan;
    private final PrintStream err;
    private final boolean quiet;
    private final boolean debug;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** The first failure that stopped the monitor: the file's or the source's. */
    private final AtomicReference<MonitorFailure> failure = new AtomicReference<>();
    private final Engine engine;
    private boolean statusShown;

    /** Where a run's events come from: the kernel's eBPF engine, or a test's source. */
    interface Engine {
        /** The kernel's eBPF engine. */
        Engine KERNEL = new Engine() {
            @Override
            public void preflight() {
                Preflight.check();
            }

            @Override
            public EventSource open(BpfOptions options) {
                return new BpfEventSource(options);
            }
        };

        /** Checks what the engine needs of the host, before any output is touched. @throws BpfException */
        void preflight();

        EventSource open(BpfOptions options);
    }

    MonitorRun(ProcmonCommand.Plan plan, PrintStream err, boolean quiet, boolean debug) {
        this(plan, err, quiet, debug, Engine.KERNEL);
    }

    MonitorRun(ProcmonCommand.Plan plan, PrintStream err, boolean quiet, boolean debug, Engine engine) {
        this.engine = engine;
        this.plan = plan;
        this.err = err;
        this.quiet = quiet;
        this.debug = debug;
    }

    int run() {
        try {
            engine.preflight(); // before the output file is touched
        } catch (BpfException e) {
            return fail(ExitCode.of(e.reason()), e);
        }
        KafkaSinkConfig kafkaConfig = plan.kafka();
        // One writer for the run: the file and Kafka give each record the same (run, seq).
        ProcessRecords records = ProcessRecords.forLocalRun(plan.host());
        KafkaSink kafkaSink = null;
        if (kafkaConfig != null) {
            try {
                kafkaSink = KafkaSink.open(kafkaConfig, records);
            } catch (org.apache.kafka.common.KafkaException e) {
                return usage("bad Kafka configuration: " + ProcmonCli.describe(e.getCause() != null ? e.getCause() : e));
            }
        }
        EventSink file = null;
        if (plan.output() != null) {
            try {
                file = plan.selection().openSink(plan.output(), plan.append(), records);
            } catch (IOException | UncheckedIOException | java.nio.file.InvalidPathException e) {
                err.println("procmon: cannot write " + plan.output() + ": " + ProcmonCli.describe(e));
                if (kafkaSink != null) {
                    kafkaSink.close();
                }
                return ExitCode.OUTPUT.code;
            }
        }
        EventSource source = engine.open(plan.bpfOptions());
        Monitor.Builder builder = Monitor.builder(source).filter(plan.selection().javaFilter()).host(plan.host())
                .queueCapacity(plan.queue()).userNames(UserNameResolver.system())
                .onFailure(f -> {
                    failure.compareAndSet(null, f);
                    stop.countDown();
                });
        if (plan.selection().joinParents()) {
            builder.joinParents();
        }
        if (file != null) {
            // First: a broker never delays the local file. A failed write (disk full, closed pipe)
            // stops the monitor instead of failing silently forever.
            builder.sink("file", file, SinkFailurePolicy.STOP);
        }
        if (kafkaSink != null) {
            builder.sink("kafka", kafkaSink); // a broker away is waited for; its losses are announced
            warnIfUnreachable(kafkaConfig);
        }
        Monitor monitor = builder.build();
        MetricsServer metricsServer = null;
        if (plan.metrics() != null) {
            try {
                // Before attaching: a busy port fails the start, and /healthz says "not attached yet" meanwhile.
                metricsServer = MetricsEndpoint.start(plan.metrics(), monitor,
                        source instanceof BpfEventSource kernel ? kernel : null, kafkaSink);
            } catch (IOException e) {
                err.println("procmon: cannot serve metrics at " + MetricsEndpoint.describe(plan.metrics()) + ": "
                        + ProcmonCli.describe(e));
                monitor.close();
                return ExitCode.METRICS.code;
            }
        }
        // SIGHUP reopens the output after log rotation; only SIGINT and SIGTERM stop the monitor.
        CliSetup.onReopenSignal(monitor::reopenSinks);
        CliSetup.onStopSignals(new String[] {"INT", "TERM"}, stop::countDown, () -> {
            err.println();
            err.println("procmon: forced to stop; rows not yet written are lost");
        });
        long started = System.nanoTime();
        try {
            monitor.start();
        } catch (BpfException e) {
            if (metricsServer != null) {
                metricsServer.close();
            }
            return fail(ExitCode.of(e.reason()), e);
        }
        ServiceNotifier service = ServiceNotifier.fromEnvironment();
        service.ready(); // systemd's Type=notify: started once the programs are attached
        if (!quiet) {
            err.println("procmon: recording to " + destinations(kafkaConfig)
                    + (metricsServer == null ? "" : "; metrics at " + MetricsEndpoint.url(metricsServer))
                    + (service.active() ? "" : "; Ctrl+C to stop"));
        }
        // Start-up garbage (the kernel's BTF, about 10 MB) would otherwise stay in the old generation,
        // which the steady state never fills: collect it once, so the heap shrinks and stays small.
        System.gc();
        if (debug) {
            err.printf("procmon: attached in %.0f ms (%d ms after the JVM started)%n", (System.nanoTime() - started) / 1e6,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        showStatusUntilStopped(monitor);
        service.stopping();
        monitor.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
        return summarize(monitor.stats(), kafkaSink, kafkaConfig, (System.nanoTime() - started) / 1e9);
    }

    private int summarize(MonitorStats stats, KafkaSink kafkaSink, KafkaSinkConfig kafkaConfig, double seconds) {
        MonitorFailure stopped = failure.get();
        // After a failed write the count of rows "written" would be untrue: the error line says it all.
        if (!quiet && stopped == null) {
            if (statusShown) {
                err.print("\r\033[K");
            }
            err.println(Summary.onStop(stats, destinations(kafkaConfig), seconds)
                    + (kafkaSink == null ? "" : "; " + Summary.kafka(kafkaSink.stats())));
        }
        if (kafkaSink != null && kafkaSink.stats().undeliveredAtClose() > 0) {
            err.printf(Locale.ROOT, "procmon: Kafka: %,d records could not be delivered within %s s of stopping; "
                    + "they are missing from %s without a loss notice%n", kafkaSink.stats().undeliveredAtClose(),
                    Summary.seconds(kafkaConfig.closeTimeout().toMillis() / 1000.0), kafkaConfig.topic());
        }
        if (stopped == null) {
            return ExitCode.OK.code;
        }
        if (stopped.sourceFailed()) {
            // Nothing more would be recorded: leave, so that a service manager starts a new reader.
            err.println("procmon: " + stopped.message());
            return ExitCode.READER_DIED.code;
        }
        if ("-".equals(plan.output()) && isBrokenPipe(stopped.cause())) {
            return ExitCode.OUTPUT_CLOSED.code; // the reader of standard output went away (| head): leave quietly
        }
        err.println("procmon: writing " + plan.output() + " failed: " + ProcmonCli.describe(stopped.cause()));
        return ExitCode.OUTPUT.code;
    }

    private String destinations(KafkaSinkConfig kafkaConfig) {
        String file = plan.output() == null ? null : "-".equals(plan.output()) ? "standard output" : plan.output();
        String topic = kafkaConfig == null ? null : "Kafka topic " + kafkaConfig.topic() + " at " + kafkaConfig.bootstrapServers();
        return file == null ? topic : topic == null ? file : file + " and " + topic;
    }

    /** An unreachable broker at start is worth a warning, not a failure: records wait for it. */
    private void warnIfUnreachable(KafkaSinkConfig config) {
        Thread probe = new Thread(() -> {
            java.util.Optional<String> problem = KafkaProbe.unreachable(config, java.time.Duration.ofSeconds(5));
            problem.ifPresent(p -> err.printf(Locale.ROOT, "procmon: warning: Kafka at %s is not reachable (%s); "
                    + "records wait in a queue of %,d, beyond which they are dropped, counted and announced%n",
                    config.bootstrapServers(), p, config.queueCapacity()));
        }, "procmon-kafka-probe");
        probe.setDaemon(true);
        probe.start();
    }

    private void showStatusUntilStopped(Monitor monitor) {
        boolean live = !quiet && plan.statsInterval() > 0 && Terminal.stderrIsTerminal();
        long intervalNanos = live ? (long) (plan.statsInterval() * 1e9) : Long.MAX_VALUE;
        long lastCount = 0;
        long lastTime = System.nanoTime();
        try {
            while (!stop.await(Math.min(intervalNanos, TimeUnit.HOURS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                if (live) {
                    MonitorStats stats = monitor.stats();
                    long now = System.nanoTime();
                    double rate = (stats.delivered() - lastCount) / ((now - lastTime) / 1e9);
                    lastCount = stats.delivered();
                    lastTime = now;
                    err.print("\r" + Summary.status(rate, stats) + "\033[K");
                    err.flush();
                    statusShown = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int usage(String message) {
        err.println("procmon: " + message);
        err.println("Try 'procmon --help' for more information.");
        return ExitCode.USAGE.code;
    }

    private int fail(ExitCode code, Exception e) {
        err.println("procmon: " + e.getMessage());
        if (debug) {
            e.printStackTrace(err);
        }
        return code.code;
    }

    private static boolean isBrokenPipe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }
}
