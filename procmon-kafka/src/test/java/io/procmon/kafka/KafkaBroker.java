package io.procmon.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one JVM), started as its
 * own process from Maven Central's {@code kafka_2.13}, listening only on 127.0.0.1 (or on one other
 * address of this host's, such as a bridge to network namespaces that stand for hosts). Its storage is
 * formatted once; {@link #kill()} and {@link #start()} simulate an outage, {@link #close()} stops it
 * for good and deletes its files. A shutdown hook makes sure no broker outlives the tests.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final String address;
    private final int port;
    private final int controllerPort;
    private final Path config;
    private final String classpath;
    private Process process;
    private final Thread reaper = new Thread(this::destroy, "kafka-broker-reaper");

    private KafkaBroker(Path dir, String address) throws IOException {
        this.dir = dir;
        this.address = address;
        this.port = freePort();
        this.controllerPort = freePort();
        this.config = dir.resolve("server.properties");
        String cpFile = System.getProperty("procmon.kafka.broker.classpath");
        if (cpFile == null) {
            throw new IllegalStateException("system property procmon.kafka.broker.classpath is not set (run through Maven)");
        }
        this.classpath = Files.readString(Path.of(cpFile)).strip();
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://" + address + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + address + ":" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") , StandardCharsets.UTF_8);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Formats a new broker's storage under a fresh directory and starts it. */
    public static KafkaBroker startNew() throws IOException, InterruptedException {
        return startNew("127.0.0.1");
    }

    /** As {@link #startNew()}, its clients' listener on {@code address} (an IPv4 address of this host's). */
    public static KafkaBroker startNew(String address) throws IOException, InterruptedException {
        KafkaBroker broker = formatted(address);
        broker.start();
        return broker;
    }

    /** A new broker with its storage formatted and its ports chosen, not started: "down" until {@link #start()}. */
    public static KafkaBroker formatted() throws IOException, InterruptedException {
        return formatted("127.0.0.1");
    }

    private static KafkaBroker formatted(String address) throws IOException, InterruptedException {
        KafkaBroker broker = new KafkaBroker(Files.createTempDirectory("procmon-kafka-"), address);
        broker.run(List.of("kafka.tools.StorageTool", "format", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", broker.config.toString(), "--standalone"), dirLog(broker, "format.log"), true);
        return broker;
    }

    private static Path dirLog(KafkaBroker b, String name) {
        return b.dir.resolve(name);
    }

    /** {@code ADDRESS:PORT}. */
    public String bootstrap() {
        return address + ":" + port;
    }

    /** Starts the broker (again) and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = run(List.of("kafka.Kafka", config.toString()), dir.resolve("broker.log"), false);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see " + dir.resolve("broker.log"));
            }
            if (Files.readString(dir.resolve("broker.log"), StandardCharsets.ISO_8859_1).contains("Kafka Server started")
                    && accepts(address, port)) {
                return;
            }
            Thread.sleep(100);
        }
        destroy();
        throw new IllegalStateException("Kafka broker did not start within 90 s; see " + dir.resolve("broker.log"));
    }

    /** SIGKILL: the broker vanishes without a clean shutdown, as in a crash. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process run(List<String> mainAndArgs, Path log, boolean wait) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        String cpus = System.getProperty("procmon.kafka.broker.cpus");
        if (cpus != null) { // benchmarks keep the broker off the measured core
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(mainAndArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (wait) {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(mainAndArgs.get(0) + " failed: " + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
        }
        return p;
    }

    private synchronized void destroy() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the broker and deletes its files. */
    @Override
    public void close() throws IOException {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static boolean accepts(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
