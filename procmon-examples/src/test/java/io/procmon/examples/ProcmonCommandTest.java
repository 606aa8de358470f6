package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfOptions;
import io.procmon.core.ProcessEvent;
import io.procmon.csv.Column;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How each option of the monitor reaches what it is built from: the kernel programs' options, the
 * filters, units, implied options, the outputs; and each mistake's message and exit code. No root:
 * nothing is attached (a valid command line is only resolved, never run).
 */
class ProcmonCommandTest {
    private static ProcmonCommand.Plan plan(String... args) {
        ProcmonCommand command = new ProcmonCommand(System.err);
        new CommandLine(command).parseArgs(args);
        return command.plan();
    }

    private static BpfOptions kernel(String... args) {
        return plan(args).bpfOptions();
    }

    private static Predicate<ProcessEvent> javaFilter(String... args) {
        return plan(args).selection().javaFilter();
    }

    private static ProcessEvent event(String command, String cgroup) {
        return ProcessEvent.builder().pid(10).ppid(1).command(command).exitCode(0).cgroup(cgroup == null ? 0 : 7, cgroup).build();
    }

    @Test
    void theDefaultsAreTheOriginalTool() {
        ProcmonCommand.Plan p = plan();
        assertThat(p.selection().jsonl()).isFalse();
        assertThat(p.selection().columns()).isEqualTo(Column.ORIGINAL);
        assertThat(p.bpfOptions()).isEqualTo(BpfOptions.defaults());
        assertThat(p.bpfOptions().reportStartedBefore()).isTrue();
        assertThat(p.bpfOptions().uid()).isEmpty();
        assertThat(p.bpfOptions().argsMax()).isZero();
        assertThat(p.bpfOptions().pagesPerCpu()).isEqualTo(BpfOptions.DEFAULT_PAGES_PER_CPU);
        assertThat(p.bpfOptions().maxProcesses()).isZero();
        assertThat(p.queue()).isEqualTo(65_536);
        assertThat(p.metrics()).isNull();
        assertThat(p.kafka()).isNull();
        assertThat(p.output()).isEqualTo("process_events.csv");
        assertThat(p.append()).isFalse();
        assertThat(p.statsInterval()).isEqualTo(1.0);
        assertThat(p.host()).isEqualTo(io.procmon.core.Host.local());
        assertThat(javaFilter().test(event("anything", null))).isTrue();
    }

    @Test
    void kernelFiltersGetTheirValuesInTheKernelsUnits() {
        assertThat(kernel("--uid", "65534").uid()).hasValue(65534);
        assertThat(kernel("--uid", "nobody").uid()).hasValue(65534);
        assertThat(kernel("--uid", "root").uid()).hasValue(0);
        assertThat(kernel("--uid", "root").loginUid()).isEmpty();
        assertThat(kernel("--login-uid", "nobody").loginUid()).hasValue(65534);
        assertThat(kernel("--login-uid", "1000").loginUid()).hasValue(1000);
        assertThat(kernel("--login-uid", "1000").uid()).isEmpty();
        assertThat(kernel("--login-uid", "1000").who()).as("the filter reads the login uid").isTrue();
        assertThat(kernel().who()).as("the plain monitor carries no who fields").isFalse();
        assertThat(kernel("--format", "jsonl").who()).isTrue();
        assertThat(kernel("--columns", "pid,tty").who()).isTrue();
        assertThat(kernel("--columns", "pid,entity_id").who()).as("entity ids need no who fields").isFalse();
        assertThat(kernel("--events", "exec,exit").execRecords()).isTrue();
        assertThat(kernel("--events", "exec,exit").runningRecords()).isFalse();
        assertThat(kernel().execRecords()).isFalse();
        assertThat(kernel("--events", "running,exit").runningRecords()).isTrue();
        assertThat(kernel("--inventory-interval", "60").runningRecords()).isTrue();
        assertThat(kernel("--inventory-interval", "60").inventoryInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(plan("--events", "exec,exit").selection().columns()).as("the default columns and the event")
                .containsExactly(Column.PID, Column.PPID, Column.USER, Column.COMMAND, Column.DURATION_MS, Column.EVENT);
        assertThat(javaFilter("--events", "exec").test(ProcessEvent.builder().command("x").build())).as("exits left out").isFalse();
        assertThat(javaFilter("--events", "exec").test(ProcessEvent.builder().kind(ProcessEvent.Kind.EXEC).command("x").build()))
                .isTrue();
        assertThat(kernel("--min-duration", "1.5").minDuration().toNanos()).isEqualTo(1_500_000L);
        assertThat(kernel("--min-duration", "1000").minDuration()).isEqualTo(Duration.ofSeconds(1));
        assertThat(kernel("--failed").failedOnly()).isTrue();
        assertThat(kernel("--no-started-before").reportStartedBefore()).isFalse();
        assertThat(kernel("--exe").executablePaths()).isTrue();
        assertThat(kernel("--cgroups").cgroups()).isTrue();
        assertThat(kernel("--args").argsMax()).isEqualTo(4096);
        assertThat(kernel("--args", "--args-max", "100").argsMax()).isEqualTo(100);
        assertThat(kernel("--args-max", "100").argsMax()).as("--args-max alone records nothing").isZero();
    }

    @Test
    void columnsAndFiltersImplyWhatTheyNeed() {
        assertThat(kernel("--columns", "pid,exe").executablePaths()).isTrue();
        assertThat(kernel("--columns", "pid,args").argsMax()).isEqualTo(4096);
        assertThat(kernel("--columns", "pid,args_status").argsMax()).isEqualTo(4096);
        for (String column : List.of("cgroup", "container_id", "container_runtime", "pod_uid")) {
            assertThat(kernel("--columns", "pid," + column).cgroups()).as(column).isTrue();
        }
        assertThat(kernel("--container", "4f0e").cgroups()).isTrue();
        assertThat(kernel("--cgroup", "/system.slice").cgroups()).isTrue();
        assertThat(kernel("--columns", "pid,exit_code,signal,host,start_time")).isEqualTo(kernel());
        assertThat(plan("--columns", "pid,command,exit_code").selection().columns())
                .containsExactly(Column.PID, Column.COMMAND, Column.EXIT_CODE);
    }

    @Test
    void ringsAndTablesGetTheirSizes() {
        assertThat(plan("--pages", "4").bpfOptions().pagesPerCpu()).isEqualTo(4);
        assertThat(plan("--exe").bpfOptions().pagesPerCpu()).isEqualTo(BpfOptions.DEFAULT_PAGES_PER_CPU_WITH_EXE);
        assertThat(plan("--args").bpfOptions().pagesPerCpu()).isEqualTo(2 * BpfOptions.DEFAULT_PAGES_PER_CPU);
        assertThat(plan("--exe", "--args").bpfOptions().pagesPerCpu()).isEqualTo(2 * BpfOptions.DEFAULT_PAGES_PER_CPU_WITH_EXE);
        assertThat(plan("--max-processes", "1000").bpfOptions().maxProcesses()).isEqualTo(1000);
        assertThat(plan("--queue", "5").queue()).isEqualTo(5);
    }

    @Test
    void filtersTheKernelCannotRunInJava() {
        assertThat(javaFilter("--command", "py*").test(event("python3", null))).isTrue();
        assertThat(javaFilter("--command", "py*").test(event("bash", null))).isFalse();
        assertThat(javaFilter("--command-regex", "^ba").test(event("bash", null))).isTrue();
        assertThat(javaFilter("--command-regex", "^ba").test(event("dash", null))).isFalse();
        assertThat(javaFilter("--command", "b*", "--command-regex", "h$").test(event("bash", null))).isTrue();
        assertThat(javaFilter("--command", "b*", "--command-regex", "x").test(event("bash", null))).as("both must hold").isFalse();
        String docker = "/system.slice/docker-" + "4f0e".repeat(16) + ".scope";
        assertThat(javaFilter("--container", "4f0e4f").test(event("sh", docker))).isTrue();
        assertThat(javaFilter("--container", "4f1").test(event("sh", docker))).isFalse();
        assertThat(javaFilter("--container", "4f0e").test(event("sh", "/user.slice"))).isFalse();
        assertThat(javaFilter("--cgroup", "/system.slice").test(event("sh", docker))).isTrue();
        assertThat(javaFilter("--cgroup", "/system.slice").test(event("sh", "/system.slice2/x"))).isFalse();
        assertThat(javaFilter("--cgroup", "/system.slice").test(event("sh", null))).isFalse();
    }

    @Test
    void outputsAndEndpoints() {
        assertThat(plan("-o", "-").output()).isEqualTo("-");
        assertThat(plan("--output", "/var/log/x.csv", "-a").output()).isEqualTo("/var/log/x.csv");
        assertThat(plan("--append").append()).isTrue();
        assertThat(plan("--format", "jsonl").selection().jsonl()).isTrue();
        assertThat(plan("--format", "JSONL").selection().jsonl()).isTrue();
        assertThat(plan("--host-name", "edge-7").host().name()).isEqualTo("edge-7");
        assertThat(plan("--stats-interval", "0").statsInterval()).isZero();
        assertThat(plan("--metrics", "9100").metrics()).isEqualTo(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9100));
        assertThat(plan("--metrics", "0.0.0.0:0").metrics()).isEqualTo(new InetSocketAddress("0.0.0.0", 0));

        ProcmonCommand.Plan kafka = plan("--kafka", "b1:9092,b2:9092");
        assertThat(kafka.kafka().bootstrapServers()).isEqualTo("b1:9092,b2:9092");
        assertThat(kafka.kafka().topic()).isEqualTo("procmon.processes");
        assertThat(kafka.kafka().queueCapacity()).isEqualTo(20_000);
        assertThat(kafka.kafka().closeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(kafka.kafka().handOverInterval()).isEqualTo(Duration.ofSeconds(1));
        ProcmonCommand.Plan tuned = plan("-o", "none", "--kafka", "b:9092", "--kafka-topic", "t", "--kafka-queue", "5",
                "--kafka-close-timeout", "2.5", "--kafka-property", "linger.ms=7", "--kafka-interval", "0.25");
        assertThat(tuned.output()).isNull();
        assertThat(tuned.kafka().topic()).isEqualTo("t");
        assertThat(tuned.kafka().queueCapacity()).isEqualTo(5);
        assertThat(tuned.kafka().closeTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(tuned.kafka().producerProperties().getProperty("linger.ms")).isEqualTo("7");
        assertThat(tuned.kafka().handOverInterval()).isEqualTo(Duration.ofMillis(250));
    }

    /** What a --kafka command line resolved with {@code args} says on standard error. */
    private static String kafkaWarnings(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProcmonCommand command = new ProcmonCommand(new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(command).parseArgs(args);
        assertThat(command.plan().kafka()).isNotNull();
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void credentialsOtherUsersCanReadAreWarnedAbout(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path config = dir.resolve("kafka.properties");
        java.nio.file.Files.writeString(config, "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required;\n");
        java.nio.file.Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(kafkaWarnings("--kafka", "b:9092", "--kafka-config", config.toString()))
                .isEqualTo("procmon: warning: --kafka-config " + config + " is readable by other users (rw-r--r--); if it holds "
                        + "credentials: chmod 600 " + config + "\n");
        java.nio.file.Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(kafkaWarnings("--kafka", "b:9092", "--kafka-config", config.toString())).isEmpty();

        for (String secret : List.of("sasl.jaas.config=x", "ssl.key.password=x", "ssl.truststore.password=x", "ssl.keystore.key=x")) {
            assertThat(kafkaWarnings("--kafka", "b:9092", "--kafka-property", secret)).as(secret)
                    .startsWith("procmon: warning: --kafka-property " + secret.substring(0, secret.indexOf('=')) + " is readable by every user")
                    .contains("--kafka-config file of mode 0600");
        }
        assertThat(kafkaWarnings("--kafka", "b:9092", "--kafka-property", "linger.ms=7", "--kafka-property", "security.protocol=SSL"))
                .isEmpty();
    }

    @Test
    void quietAndDebugAreParsed() {
        ProcmonCommand command = new ProcmonCommand(System.err);
        new CommandLine(command).parseArgs("-q", "--debug");
        assertThat(command.quiet).isTrue();
        assertThat(command.debug).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--pages 3                        | --pages must be a power of two, got 3",
        "--pages abc                      | Invalid value for option '--pages': 'abc' is not an int",
        "--format xml                     | --format must be csv or jsonl, got 'xml'",
        "--format jsonl --columns pid     | --columns applies to --format csv only",
        "--columns pid,bogus              | unknown column 'bogus'",
        "--uid no-such-user-procmon       | --uid: no such user 'no-such-user-procmon'",
        "--login-uid no-such-user-procmon | --login-uid: no such user 'no-such-user-procmon'",
        "--login-uid 4294967295           | --login-uid: no such user '4294967295'",
        "--events fork                    | --events takes exit, exec and running, comma-separated; got 'fork'",
        "--events exec --columns pid      | --events exec and running need the event column in --columns: their rows would read as exits",
        "--events exec,exit --failed      | --events exec and running cannot be combined with --failed or --min-duration: both are known only at exit",
        "--inventory-interval 0.5         | --inventory-interval must be a number of seconds, at least 1",
        "--inventory-interval NaN         | --inventory-interval must be a number of seconds, at least 1",
        "--command-regex (                | --command-regex: Unclosed group in '('",
        "--min-duration -1                | --min-duration must be a non-negative number of milliseconds",
        "--min-duration NaN               | --min-duration must be a non-negative number of milliseconds",
        "--container XYZ                  | --container takes a prefix of a container id (hex digits), got 'XYZ'",
        "--cgroup system.slice            | --cgroup takes a path that starts with /, got 'system.slice'",
        "--args-max 0                     | --args-max must be between 1 and 32768 bytes, got 0",
        "--args-max 32769                 | --args-max must be between 1 and 32768 bytes, got 32769",
        "--max-processes -1               | --max-processes must not be negative, got -1",
        "--stats-interval -1              | --stats-interval must not be negative, got -1.0",
        "--queue 0                        | --queue must be at least 1, got 0",
        "--metrics localhost:http         | --metrics takes [HOST:]PORT with a port from 0 to 65535, got 'localhost:http'",
        "-o none                          | -o none needs --kafka: nothing would be recorded",
        "--kafka-topic t                  | --kafka-topic, --kafka-property and --kafka-config need --kafka",
        "--kafka b:9092 --kafka-close-timeout -1 | --kafka-close-timeout must not be negative, got -1.0",
        "--kafka b:9092 --kafka-interval 61     | --kafka-interval must be from 0 to 60 seconds, got 61.0",
        "--kafka b:9092 --kafka-interval NaN    | --kafka-interval must be from 0 to 60 seconds, got NaN",
        "--no-such-option                 | Unknown option: '--no-such-option'",
    })
    void eachMistakeIsOneLineAndExit2(String args, String message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = ProcmonCli.run(args.trim().split(" +"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String err = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.lines().toList()).as(err).hasSize(2);
        assertThat(err.lines().findFirst().orElseThrow()).startsWith("procmon: " + message);
        assertThat(err).endsWith("Try 'procmon --help' for more information.\n");
    }
}
