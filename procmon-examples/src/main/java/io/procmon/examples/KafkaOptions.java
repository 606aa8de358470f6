package io.procmon.examples;

import io.procmon.kafka.KafkaSinkConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Where Kafka is, shared by the monitor and {@code procmon collect}. */
final class KafkaOptions {
    @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
            description = "Kafka bootstrap servers (host:port,...).")
    String bootstrap;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = KafkaSinkConfig.DEFAULT_TOPIC,
            description = "The topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property (TLS, SASL, batching...); repeatable; wins over --kafka-config.")
    List<String> properties = new ArrayList<>();

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "A file of Kafka client properties (Java properties format).")
    Path config;

    /** The client properties from --kafka-config and --kafka-property, in that order; bad input is an IllegalArgumentException. */
    Properties clientProperties() {
        Properties p = new Properties();
        if (config != null) {
            try {
                p.putAll(KafkaSinkConfig.load(config));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + config + ": " + ProcmonCli.describe(e));
            }
        }
        for (String text : properties) {
            Map.Entry<String, String> kv = KafkaSinkConfig.parseProperty(text);
            p.setProperty(kv.getKey(), kv.getValue());
        }
        return p;
    }
}
