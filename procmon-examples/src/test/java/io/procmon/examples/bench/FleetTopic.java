package io.procmon.examples.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.procmon.core.Arguments;
import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.kafka.KafkaBroker;
import io.procmon.schema.ProcessRecords;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * For {@code bench/collect.sh}: a real local broker holding a topic of procmon records as monitors
 * with {@code --format jsonl --args --cgroups --exe} send them (about 800 bytes each), from several
 * hosts' runs, keyed by host as the sink keys them. Prints {@code ready BOOTSTRAP BYTES}, then keeps
 * the broker until its standard input closes.
 *   FleetTopic RECORDS HOSTS TOPIC
 */
public final class FleetTopic {
    private FleetTopic() {
    }

    public static void main(String[] args) throws Exception {
        long records = Long.parseLong(args[0]);
        int hosts = Integer.parseInt(args[1]);
        String topic = args[2];
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            Properties p = new Properties();
            p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"); // as the monitor's sink
            p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
            p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
            long bytes = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                ProcessRecords[] runs = new ProcessRecords[hosts];
                byte[][] keys = new byte[hosts][];
                for (int h = 0; h < hosts; h++) {
                    Host host = new Host(String.format("build-%03d.fleet.example", h), String.format("%032x", h * 7919L + 1));
                    runs[h] = new ProcessRecords(host, String.format("%032x", h * 104729L + 3));
                    keys[h] = host.id().getBytes(StandardCharsets.UTF_8);
                }
                JsonFactory json = JsonFactory.builder().build();
                ByteArrayBuilder buffer = new ByteArrayBuilder(2048);
                long boot = 1_700_000_000_000_000_000L;
                for (long i = 0; i < records; i++) {
                    int h = (int) (i % hosts);
                    ProcessEvent event = event(i, boot, runs[h].host());
                    buffer.reset();
                    try (JsonGenerator g = json.createGenerator(buffer)) {
                        runs[h].writeProcess(g, event);
                    }
                    byte[] value = buffer.toByteArray();
                    bytes += value.length;
                    producer.send(new ProducerRecord<>(topic, keys[h], value));
                }
                producer.flush();
            }
            System.out.println("ready " + broker.bootstrap() + " " + bytes);
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the broker until the bench is done
            }
        }
    }

    private static ProcessEvent event(long i, long boot, Host host) {
        int pid = (int) (10_000 + i % 4_000_000);
        String args = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1\0-quiet\0-I\0/build/src/include\0"
                + "src/module-" + i % 977 + "/file-" + i % 131 + ".c\0-O2\0-Wall\0-o\0/tmp/cc" + i + ".s\0";
        byte[] cmdline = args.getBytes(StandardCharsets.UTF_8);
        return ProcessEvent.builder().pid(pid).ppid(pid - 3).parentAtExit(pid - 3).uid(1000).command("cc1")
                .executable("/usr/lib/gcc/x86_64-linux-gnu/12/cc1").execTimeNanos(i * 1_000_000L).exitTimeNanos(i * 1_000_000L + 45_000_000L)
                .exitCode(i % 53 == 0 ? 1 : 0).clockOffsetNanos(boot)
                .cgroup(4_000 + i % 17, "/system.slice/docker-" + String.format("%064x", i % 17 + 0xabcdefL) + ".scope")
                .arguments(Arguments.fromCmdline(cmdline, cmdline.length)).host(host).build().withUserName("builder");
    }
}
