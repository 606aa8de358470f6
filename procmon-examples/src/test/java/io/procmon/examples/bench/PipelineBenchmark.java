package io.procmon.examples.bench;

import io.procmon.bpf.prog.EventLayout;
import io.procmon.core.CachingUserNameResolver;
import io.procmon.core.ProcessEvent;
import io.procmon.core.UserNameResolver;
import io.procmon.csv.CsvSink;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The user-space pipeline on one thread: decode a kernel sample → resolve the user name (cached,
 * as in the monitor) → format a CSV row into the sink's batch (written to a discarding stream
 * every 1,024 rows, as the monitor's flush would). Run: {@code bench/pipeline.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "-XX:+UseSerialGC"})
@Threads(1)
public class PipelineBenchmark {
    private static final int SAMPLES = 1_024;
    private static final String[] NAMES = {"bash", "sleep", "true", "systemd-journal", "a,b", "kworker/u4:2", "java", "sh"};

    private final ByteBuffer[] samples = new ByteBuffer[SAMPLES];
    private UserNameResolver users;
    private CsvSink sink;
    private int next;

    @Setup
    public void setUp() {
        for (int i = 0; i < SAMPLES; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(EventLayout.SIZE + 4).order(ByteOrder.nativeOrder());
            b.putLong(EventLayout.EXEC_NS, 1_000_000_000L + i)
                    .putLong(EventLayout.EXIT_NS, 1_000_000_000L + i * 7_919_123L)
                    .putInt(EventLayout.PID, 10_000 + i)
                    .putInt(EventLayout.PPID, 9_000 + i % 17)
                    .putInt(EventLayout.PARENT_AT_EXIT, 9_000 + i % 17)
                    .putInt(EventLayout.UID, i % 3 == 0 ? 0 : 1000)
                    .putInt(EventLayout.EXIT_CODE, (i % 5) << 8);
            b.put(EventLayout.COMM, NAMES[i % NAMES.length].getBytes(StandardCharsets.UTF_8));
            samples[i] = b;
        }
        users = new CachingUserNameResolver(uid -> Optional.of(uid == 0 ? "root" : "user" + uid));
        sink = CsvSink.to(OutputStream.nullOutputStream());
    }

    @Benchmark
    public void decodeEnrichWriteCsv() {
        ProcessEvent event = EventLayout.decodeExit(samples[next]).toEvent(ProcessEvent.CLOCK_OFFSET_UNKNOWN).build();
        sink.onEvent(event.withUserName(users.nameOf(event.uid())));
        if (++next == SAMPLES) {
            next = 0;
            sink.flush();
        }
    }

    @Benchmark
    public ProcessEvent decodeOnly() {
        ProcessEvent event = EventLayout.decodeExit(samples[next]).toEvent(ProcessEvent.CLOCK_OFFSET_UNKNOWN).build();
        next = (next + 1) % SAMPLES;
        return event;
    }

    @TearDown
    public void tearDown() {
        sink.close();
    }
}
