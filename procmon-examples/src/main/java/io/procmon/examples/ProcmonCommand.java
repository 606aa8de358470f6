package io.procmon.examples;

import io.procmon.bpf.BpfOptions;
import io.procmon.kafka.KafkaSinkConfig;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The procmon monitor's command line: its options, resolved into a {@link Plan} that {@link MonitorRun} runs. */
@Command(name = "procmon", mixinStandardHelpOptions = true, versionProvider = ProcmonCli.Version.class,
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
                    + "cgroup, container_id, container_runtime, pod_uid, args, args_status, entity_id, parent_entity_id, "
                    + "parent_command, parent_exe (the parent joined by entity id), login_uid, session_id, euid, tty, event.")
    String columns;

    @Option(names = "--events", paramLabel = "LIST", defaultValue = "exit",
            description = "What is recorded, comma-separated: exit (a row when a process ends; the default), exec (a row when it "
                    + "execs, within the same delay), running (a row for each process running as recording starts and as it stops). "
                    + "With exec or running, CSV gets the event column (add it to --columns).")
    String events;

    @Option(names = "--inventory-interval", paramLabel = "S",
            description = "Also a running row for every process every S seconds (at least 1), for collectors that join late; implies "
                    + "--events running.")
    Double inventoryInterval;

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

    @Option(names = "--login-uid", paramLabel = "USER", description = "Only processes of this login (name or uid): whoever logged in, "
            + "through su and sudo (the audit login uid); filtered in the kernel.")
    String loginUser;

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

    @Option(names = "--kafka-interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "How often records are handed to Kafka while they flow, at most 60; 0: with every local batch "
                    + "(default: ${DEFAULT-VALUE}). Each hand-over wakes two threads: a longer interval costs less CPU.")
    double kafkaInterval;

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

    ProcmonCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() {
        CliSetup.logging(debug); // before any logger exists
        Plan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            err.println("procmon: " + e.getMessage());
            err.println("Try 'procmon --help' for more information.");
            return ExitCode.USAGE.code;
        }
        return new MonitorRun(plan, err, quiet, debug).run();
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
        if (pages != 0) {
            BpfOptions.checkPagesPerCpu("--pages", pages);
        }
        Selection selection = Selection.parse(this);
        if (maxProcesses < 0) {
            throw new IllegalArgumentException("--max-processes must not be negative, got " + maxProcesses);
        }
        if (statsInterval < 0 || Double.isNaN(statsInterval)) {
            throw new IllegalArgumentException("--stats-interval must not be negative, got " + statsInterval);
        }
        io.procmon.core.Monitor.Builder.checkQueueCapacity("--queue", queue);
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
        if (!(kafkaInterval >= 0 && kafkaInterval <= 60)) {
            throw new IllegalArgumentException("--kafka-interval must be from 0 to 60 seconds, got " + kafkaInterval);
        }
        return KafkaSinkConfig.builder(kafka.bootstrap).topic(kafka.topic).properties(kafka.clientProperties(err))
                .queueCapacity(kafkaQueue).closeTimeout(java.time.Duration.ofMillis((long) (kafkaCloseTimeout * 1000)))
                .handOverInterval(java.time.Duration.ofMillis((long) (kafkaInterval * 1000))).build();
    }
}
