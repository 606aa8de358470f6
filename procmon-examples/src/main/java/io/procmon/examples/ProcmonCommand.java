package io.procmon.examples;

import io.procmon.bpf.BpfEventSource;
import io.procmon.bpf.BpfException;
import io.procmon.bpf.BpfOptions;
import io.procmon.bpf.Preflight;
import io.procmon.core.EventSink;
import io.procmon.core.Monitor;
import io.procmon.core.MonitorStats;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import io.procmon.kafka.KafkaProbe;
import io.procmon.kafka.KafkaSink;
import io.procmon.kafka.KafkaSinkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The procmon monitor: one CSV row per process, from exec to exit, until Ctrl+C or SIGTERM. */
@Command(name = "procmon", mixinStandardHelpOptions = true, versionProvider = ProcmonCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        // One string per paragraph: picocli wraps it to the terminal's width.
        description = {
            "Records every process that runs on this machine, from its exec to the exit of its last thread, "
                    + "with eBPF, and writes one CSV row per process (PID,PPID,USER,COMMAND,DURATION_MS) as each one ends. "
                    + "Runs until Ctrl+C or SIGTERM, then writes what it already received and exits 0. Needs root."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  sudo ./procmon                         write process_events.csv here",
            "  sudo ./procmon -o - -q | grep ,root,   rows on standard output",
            "  sudo ./procmon -o /var/log/procmon.csv --append --pages 256",
            "  sudo ./procmon --columns pid,ppid,user,command,duration_ms,exit_code,signal,exe --failed",
            "  sudo ./procmon --format jsonl -o - --uid www-data --min-duration 1000 | jq .",
            "  sudo ./procmon --columns pid,command,start_time,end_time,host,container_id,args --container 4f0e",
            "  sudo ./procmon --kafka broker1:9092 --cgroups --args   also stream every record to Kafka",
            "  procmon collect --kafka broker1:9092 -o fleet.csv     one file for the whole fleet",
            "  procmon report build.jsonl -o build.html             a timeline of what ran",
            "",
            "Exit codes:"})
public final class ProcmonCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "process_events.csv",
            description = "Where to write rows; - for standard output, none for no local file (with --kafka) "
                    + "(default: ${DEFAULT-VALUE}). A new file is created with mode 0600; a symbolic link is refused.")
    String output;

    @Option(names = {"-a", "--append"}, description = "Append to FILE instead of truncating it (the header is written only into an empty file).")
    boolean append;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv",
            description = "csv (default) or jsonl: one JSON object per process, and a gap record where events were lost.")
    String format;

    @Option(names = "--columns", paramLabel = "LIST",
            description = "CSV columns, comma-separated, in order (default: pid,ppid,user,command,duration_ms). "
                    + "Also: uid, exit_code, signal, core_dumped, parent_at_exit, exe, started_before, start_time, end_time, host, "
                    + "cgroup, container_id, container_runtime, pod_uid, args, args_status.")
    String columns;

    @Option(names = "--host-name", paramLabel = "NAME",
            description = "The host name written with each row (the host column, JSON's host); default: this machine's.")
    String hostName;

    @Option(names = "--args", description = "Record each process's command line (implied by the args and args_status columns); "
            + "adds args to JSON Lines.")
    boolean args;

    @Option(names = "--args-max", paramLabel = "BYTES", defaultValue = "4096",
            description = "Argument bytes recorded per process, at most 32768 (default: ${DEFAULT-VALUE}); longer ones are cut and flagged.")
    int argsMax;

    @Option(names = "--cgroups", description = "Record each process's cgroup and container (implied by the cgroup, container_id, "
            + "container_runtime and pod_uid columns and by --container and --cgroup); adds those fields to JSON Lines.")
    boolean cgroups;

    @Option(names = "--container", paramLabel = "ID-PREFIX", description = "Only processes in a container whose id starts with this.")
    String containerPrefix;

    @Option(names = "--cgroup", paramLabel = "PATH-PREFIX",
            description = "Only processes whose cgroup is this path or below it (e.g. /system.slice/nginx.service).")
    String cgroupPrefix;

    @Option(names = "--exe", description = "Record each process's executable path (up to 255 bytes; implied by the exe column).")
    boolean exe;

    @Option(names = "--uid", paramLabel = "USER", description = "Only processes of this user (name or uid); filtered in the kernel.")
    String user;

    @Option(names = "--command", paramLabel = "GLOB", description = "Only processes whose command matches this glob (e.g. 'python*').")
    String commandGlob;

    @Option(names = "--command-regex", paramLabel = "REGEX", description = "Only processes whose command contains a match of this regex.")
    String commandRegex;

    @Option(names = "--min-duration", paramLabel = "MS", description = "Only processes that lived at least MS milliseconds; filtered in the kernel.")
    Double minDurationMs;

    @Option(names = "--failed", description = "Only processes that exited non-zero or were killed by a signal; filtered in the kernel.")
    boolean failedOnly;

    @Option(names = "--no-started-before", description = "Drop processes that were already running when procmon started, as the "
            + "original tool did (by default they are reported, their duration measured from their own start).")
    boolean dropStartedBefore;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--kafka-queue", paramLabel = "N", defaultValue = "20000",
            description = "Records held for Kafka while the broker is slow or away; beyond that they are dropped, counted "
                    + "and announced in the topic (default: ${DEFAULT-VALUE}).")
    int kafkaQueue;

    @Option(names = "--kafka-close-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "On stop, how long to try delivering what is held for Kafka (default: ${DEFAULT-VALUE}).")
    double kafkaCloseTimeout;

    @Option(names = "--pages", paramLabel = "N", defaultValue = "0",
            description = "Perf buffer size per CPU, in 4 KiB pages; a power of two (default: 128, or 512 with --exe).")
    int pages;

    @Option(names = "--max-processes", paramLabel = "N", defaultValue = "0",
            description = "Capacity of the kernel's start map; 0 = pid_max, at most 131072 (default).")
    int maxProcesses;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "65536",
            description = "Events held between the kernel reader and the outputs; beyond that they are dropped, counted and "
                    + "announced (origin dispatch_queue) (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--metrics", paramLabel = "[HOST:]PORT",
            description = "Serve Prometheus metrics at /metrics and health at /healthz on this address (a port alone: on "
                    + "loopback; 0: any free port). Off by default.")
    String metrics;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "How often the live status line is refreshed, when standard error is a terminal; 0 turns it off (default: ${DEFAULT-VALUE}).")
    double statsInterval;

    @Option(names = {"-q", "--quiet"}, description = "No status line and no summary; errors only.")
    boolean quiet;

    @Option(names = "--debug", description = "Debug logging, and stack traces with errors.")
    boolean debug;

    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<String> outputFailure = new AtomicReference<>();
    /** The reader of standard output went away ({@code procmon -o - | head}): leave quietly. */
    private volatile boolean outputClosed;

    ProcmonCommand(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, System.err);
    }

    /** Runs the command line, its messages to {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream err) {
        ProcmonCommand command = new ProcmonCommand(err);
        CommandLine cli = new CommandLine(command);
        if (mayNameASubcommand(args)) {
            // Only then: their models (and the Kafka and report classes) cost a monitor's start-up 80 ms.
            cli.addSubcommand(CollectCommand.class);
            cli.addSubcommand(ReportCommand.class);
        }
        cli.getCommandSpec().usageMessage().footer(concat(cli.getCommandSpec().usageMessage().footer(), ExitCode.table()));
        cli.setExitCodeExceptionMapper(e -> ExitCode.INTERNAL.code);
        cli.setParameterExceptionHandler((e, a) -> {
            command.err.println("procmon: " + e.getMessage());
            command.err.println("Try 'procmon --help' for more information.");
            return ExitCode.USAGE.code;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            command.err.println("procmon: internal error: " + e);
            if (command.debug) {
                e.printStackTrace(command.err);
            }
            return ExitCode.INTERNAL.code;
        });
        try {
            return cli.execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to the handler above; an Error (out of memory with a
            // heap set too small, a broken JDK) is still one line, not a stack trace.
            command.err.println("procmon: internal error: " + e);
            if (command.debug) {
                e.printStackTrace(command.err);
            }
            return ExitCode.INTERNAL.code;
        }
    }

    /** Whether the arguments name a subcommand, or ask for the help that lists them. */
    static boolean mayNameASubcommand(String[] args) {
        for (String arg : args) {
            if (arg.equals("collect") || arg.equals("report") || arg.equals("-h") || arg.equals("--help") || arg.equals("help")) {
                return true;
            }
        }
        return false;
    }

    private static String[] concat(String[] footer, String table) {
        String[] all = java.util.Arrays.copyOf(footer, footer.length + 1);
        all[footer.length] = table;
        return all;
    }

    @Override
    public Integer call() {
        CliSetup.logging(debug); // before any logger exists
        Plan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        Selection selection = plan.selection();
        KafkaSinkConfig kafkaConfig = plan.kafka();
        boolean noFile = plan.output() == null;
        try {
            Preflight.check(); // before the output file is touched
        } catch (BpfException e) {
            return fail(ExitCode.of(e.reason()), e);
        }
        io.procmon.core.Host host = plan.host();
        String run = java.util.UUID.randomUUID().toString();
        KafkaSink kafkaSink = null;
        if (kafkaConfig != null) {
            try {
                kafkaSink = KafkaSink.open(kafkaConfig, new ProcessRecords(host, run));
            } catch (org.apache.kafka.common.KafkaException e) {
                return usage("bad Kafka configuration: " + describe(e.getCause() != null ? e.getCause() : e));
            }
        }
        EventSink sink = null;
        if (!noFile) {
            try {
                sink = selection.openSink(plan.output(), plan.append(), new ProcessRecords(host, run));
            } catch (IOException | UncheckedIOException | java.nio.file.InvalidPathException e) {
                err.println("procmon: cannot write " + output + ": " + describe(e));
                if (kafkaSink != null) {
                    kafkaSink.close();
                }
                return ExitCode.OUTPUT.code;
            }
        }
        BpfEventSource source = new BpfEventSource(plan.bpfOptions());
        Monitor.Builder builder = Monitor.builder(source).filter(selection.javaFilter()).host(host).queueCapacity(plan.queue())
                .userNames(io.procmon.core.UserNameResolver.system());
        if (sink != null) {
            builder.sink("file", stopOnFailure(sink)); // first: a broker never delays the local file
        }
        if (kafkaSink != null) {
            builder.sink("kafka", kafkaSink);
            warnIfUnreachable(kafkaConfig);
        }
        Monitor monitor = builder.build();
        io.procmon.metrics.MetricsServer metricsServer = null;
        java.net.InetSocketAddress metricsAddress = plan.metrics();
        if (metricsAddress != null) {
            try {
                // Before attaching: a busy port fails the start, and /healthz says "not attached yet" meanwhile.
                metricsServer = MetricsEndpoint.start(metricsAddress, monitor, source, kafkaSink);
            } catch (IOException e) {
                err.println("procmon: cannot serve metrics at " + metrics + ": " + describe(e));
                monitor.close();
                return ExitCode.METRICS.code;
            }
        }
        installSignalHandlers();
        long started = System.nanoTime();
        try {
            monitor.start();
        } catch (BpfException e) {
            if (metricsServer != null) {
                metricsServer.close();
            }
            return fail(ExitCode.of(e.reason()), e);
        }
        if (!quiet) {
            err.println("procmon: recording to " + destinations(kafkaConfig)
                    + (metricsServer == null ? "" : "; metrics at " + MetricsEndpoint.url(metricsServer)) + "; Ctrl+C to stop");
        }
        // Start-up garbage (the kernel's BTF, about 10 MB) would otherwise stay in the old generation,
        // which the steady state never fills: collect it once, so the heap shrinks and stays small.
        System.gc();
        if (debug) {
            err.printf("procmon: attached in %.0f ms (%d ms after the JVM started)%n", (System.nanoTime() - started) / 1e6,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        showStatusUntilStopped(monitor, plan.statsInterval());
        monitor.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
        MonitorStats stats = monitor.stats();
        // After a failed write the count of rows "written" would be untrue: the error line says it all.
        if (!quiet && outputFailure.get() == null) {
            if (statusShown) {
                err.print("\r\033[K");
            }
            err.println(Summary.onStop(stats, destinations(kafkaConfig), (System.nanoTime() - started) / 1e9)
                    + (kafkaSink == null ? "" : "; " + Summary.kafka(kafkaSink.stats())));
        }
        if (kafkaSink != null && kafkaSink.stats().undeliveredAtClose() > 0) {
            err.printf(java.util.Locale.ROOT, "procmon: Kafka: %,d records could not be delivered within %s s of stopping; "
                    + "they are missing from %s without a loss notice%n", kafkaSink.stats().undeliveredAtClose(),
                    Summary.seconds(kafkaCloseTimeout), kafkaConfig.topic());
        }
        if (outputClosed) {
            return ExitCode.OUTPUT_CLOSED.code;
        }
        if (outputFailure.get() != null) {
            err.println("procmon: writing " + output + " failed: " + outputFailure.get());
            return ExitCode.OUTPUT.code;
        }
        return ExitCode.OK.code;
    }

    /**
     * What the command line resolved to, every option validated and converted: what the monitor is
     * built from. {@code output} is null for {@code -o none}, {@code kafka} and {@code metrics} without
     * their options.
     */
    record Plan(Selection selection, BpfOptions bpfOptions, int queue, java.net.InetSocketAddress metrics, KafkaSinkConfig kafka,
            String output, boolean append, io.procmon.core.Host host, double statsInterval) {
    }

    /** @throws IllegalArgumentException with a one-line message for the user */
    Plan plan() {
        if (pages != 0 && Integer.bitCount(pages) != 1) {
            throw new IllegalArgumentException("--pages must be a power of two, got " + pages);
        }
        Selection selection = Selection.parse(this);
        if (maxProcesses < 0) {
            throw new IllegalArgumentException("--max-processes must not be negative, got " + maxProcesses);
        }
        if (statsInterval < 0 || Double.isNaN(statsInterval)) {
            throw new IllegalArgumentException("--stats-interval must not be negative, got " + statsInterval);
        }
        if (queue < 1) {
            throw new IllegalArgumentException("--queue must be at least 1, got " + queue);
        }
        java.net.InetSocketAddress metricsAddress = metrics == null ? null : MetricsEndpoint.parse(metrics);
        KafkaSinkConfig kafkaConfig = kafkaConfig();
        boolean noFile = "none".equals(output);
        if (noFile && kafkaConfig == null) {
            throw new IllegalArgumentException("-o none needs --kafka: nothing would be recorded");
        }
        io.procmon.core.Host host = hostName == null ? io.procmon.core.Host.local() : io.procmon.core.Host.local().withName(hostName);
        return new Plan(selection, selection.bpfOptions(pages, maxProcesses), queue, metricsAddress, kafkaConfig,
                noFile ? null : output, append, host, statsInterval);
    }

    private boolean statusShown;

    /** The Kafka sink's configuration, or null without --kafka. */
    private KafkaSinkConfig kafkaConfig() {
        if (kafka.bootstrap == null) {
            if (!kafka.properties.isEmpty() || kafka.config != null || !KafkaSinkConfig.DEFAULT_TOPIC.equals(kafka.topic)) {
                throw new IllegalArgumentException("--kafka-topic, --kafka-property and --kafka-config need --kafka");
            }
            return null;
        }
        if (kafkaCloseTimeout < 0 || Double.isNaN(kafkaCloseTimeout)) {
            throw new IllegalArgumentException("--kafka-close-timeout must not be negative, got " + kafkaCloseTimeout);
        }
        return KafkaSinkConfig.builder(kafka.bootstrap).topic(kafka.topic).properties(kafka.clientProperties())
                .queueCapacity(kafkaQueue).closeTimeout(java.time.Duration.ofMillis((long) (kafkaCloseTimeout * 1000))).build();
    }

    private String destinations(KafkaSinkConfig kafkaConfig) {
        String file = "none".equals(output) ? null : "-".equals(output) ? "standard output" : output;
        String topic = kafkaConfig == null ? null : "Kafka topic " + kafkaConfig.topic() + " at " + kafkaConfig.bootstrapServers();
        return file == null ? topic : topic == null ? file : file + " and " + topic;
    }

    /** An unreachable broker at start is worth a warning, not a failure: records wait for it. */
    private void warnIfUnreachable(KafkaSinkConfig config) {
        Thread probe = new Thread(() -> {
            java.util.Optional<String> problem = KafkaProbe.unreachable(config, java.time.Duration.ofSeconds(5));
            problem.ifPresent(p -> err.printf(java.util.Locale.ROOT, "procmon: warning: Kafka at %s is not reachable (%s); "
                    + "records wait in a queue of %,d, beyond which they are dropped, counted and announced%n",
                    config.bootstrapServers(), p, config.queueCapacity()));
        }, "procmon-kafka-probe");
        probe.setDaemon(true);
        probe.start();
    }

    private void showStatusUntilStopped(Monitor monitor, double intervalSeconds) {
        boolean live = !quiet && intervalSeconds > 0 && Terminal.stderrIsTerminal();
        long intervalNanos = live ? (long) (intervalSeconds * 1e9) : Long.MAX_VALUE;
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

    /** First signal: stop and drain; second: leave at once, saying what is lost. */
    private void installSignalHandlers() {
        CliSetup.onStopSignals(stop::countDown, () -> {
            err.println();
            err.println("procmon: forced to stop; rows not yet written are lost");
        });
    }

    /**
     * A failed write (disk full, closed pipe) stops the monitor instead of failing silently forever.
     * The failure is this command's to report, in one line: it is not passed on to the monitor's log.
     */
    private EventSink stopOnFailure(EventSink csv) {
        return new EventSink() {
            @Override
            public void onEvent(ProcessEvent event) {
                // Not through guard: a lambda per event would be allocated on the monitor's hottest path.
                try {
                    csv.onEvent(event);
                } catch (UncheckedIOException e) {
                    failed(e);
                }
            }

            @Override
            public void onLost(io.procmon.core.LostEvents lost) {
                guard(() -> csv.onLost(lost));
            }

            @Override
            public void flush() {
                guard(csv::flush);
            }

            @Override
            public void close() {
                guard(csv::close);
            }

            private void guard(Runnable action) {
                try {
                    action.run();
                } catch (UncheckedIOException e) {
                    failed(e);
                }
            }

            private void failed(UncheckedIOException e) {
                if ("-".equals(output) && isBrokenPipe(e)) {
                    outputClosed = true;
                }
                outputFailure.compareAndSet(null, describe(e.getCause()));
                stop.countDown();
            }

            @Override
            public String toString() {
                return csv.toString();
            }
        };
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

    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            return describe(e.getCause());
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        if (e instanceof java.net.BindException && e.getMessage() != null) {
            return e.getMessage().toLowerCase(java.util.Locale.ROOT); // "Address already in use", as the other reasons read
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** Version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"procmon " + number()};
        }

        /** The build's version, or "unknown" when the jar does not say. */
        static String number() {
            Properties p = new Properties();
            try (InputStream in = ProcmonCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown";
            }
            return p.getProperty("version", "unknown");
        }
    }
}
