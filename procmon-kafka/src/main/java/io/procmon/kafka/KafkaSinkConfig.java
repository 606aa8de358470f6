package io.procmon.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Where and how a {@link KafkaSink} sends: bootstrap servers, topic, producer properties (any,
 * passed through: TLS, SASL...), queue size and close timeout. Validated when built: a bad value is
 * an {@link IllegalArgumentException} with a one-line message.
 */
public final class KafkaSinkConfig {
    /** The default topic. */
    public static final String DEFAULT_TOPIC = "procmon.processes";

    /** The producer's batch.size unless the user sets it; a quarter of buffer.memory where the user sets that smaller. */
    private static final long DEFAULT_BATCH_BYTES = 256 * 1024;

    /** Set unless the caller sets them: what makes delivery exact and the sink responsive. */
    private static final Map<String, String> DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
            ProducerConfig.LINGER_MS_CONFIG, "20",
            // A second's records in one request: a smaller batch fills, and wakes the producer's thread, every few records.
            ProducerConfig.BATCH_SIZE_CONFIG, Long.toString(DEFAULT_BATCH_BYTES),
            // send() may block this long on metadata; the sender thread retries, the monitor never waits.
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000",
            ProducerConfig.CLIENT_ID_CONFIG, "procmon");
    private static final Set<String> FIXED = Set.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private final Properties properties;
    private final String topic;
    private final int queueCapacity;
    private final long queueBytes;
    private final Duration closeTimeout;
    private final Duration handOverInterval;

    private KafkaSinkConfig(Builder b) {
        if (b.topic == null || b.topic.isBlank()) {
            throw new IllegalArgumentException("the Kafka topic must not be empty");
        }
        if (!b.topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("invalid Kafka topic name \"" + b.topic + "\": use letters, digits, '.', '_' and '-'");
        }
        if (b.queueCapacity < 1) {
            throw new IllegalArgumentException("the Kafka queue must hold at least 1 record, got " + b.queueCapacity);
        }
        if (b.queueBytes < 1) {
            throw new IllegalArgumentException("the Kafka queue must hold at least 1 byte, got " + b.queueBytes);
        }
        if (b.closeTimeout.isNegative()) {
            throw new IllegalArgumentException("the Kafka close timeout must not be negative");
        }
        if (b.handOverInterval.isNegative() || b.handOverInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("the Kafka hand-over interval must be from 0 to 60 s, got " + b.handOverInterval);
        }
        Properties p = new Properties();
        DEFAULTS.forEach(p::setProperty);
        p.putAll(b.properties);
        if (b.bootstrap != null) {
            p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap);
        }
        if (p.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "").isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given");
        }
        for (String key : FIXED) {
            if (p.containsKey(key)) {
                throw new IllegalArgumentException("Kafka property " + key + " cannot be set: records are procmon's JSON bytes");
            }
        }
        String protocol = p.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        if (protocol != null) {
            try {
                SecurityProtocol.forName(protocol.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown Kafka security.protocol \"" + protocol + "\" (expected one of "
                        + SecurityProtocol.names() + ")");
            }
        }
        if (!b.properties.containsKey(ProducerConfig.BATCH_SIZE_CONFIG) && b.properties.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
            // A batch larger than the producer's whole buffer could never be allocated: every record would fail.
            try {
                long memory = Long.parseLong(p.getProperty(ProducerConfig.BUFFER_MEMORY_CONFIG).strip());
                p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Long.toString(Math.max(1, Math.min(DEFAULT_BATCH_BYTES, memory / 4))));
            } catch (NumberFormatException e) {
                // not a number: the client's own check below names it
            }
        }
        // Let the client validate every known property now, with its own message, instead of at first send.
        try {
            new ProducerConfig(withSerializers(p));
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new IllegalArgumentException("bad Kafka configuration: " + e.getMessage());
        }
        this.properties = p;
        this.topic = b.topic;
        this.queueCapacity = b.queueCapacity;
        this.queueBytes = b.queueBytes;
        this.closeTimeout = b.closeTimeout;
        this.handOverInterval = b.handOverInterval;
    }

    private static Properties withSerializers(Properties p) {
        Properties copy = new Properties();
        copy.putAll(p);
        copy.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
        copy.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class);
        return copy;
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** The producer's properties (a copy): procmon's defaults overridden by the caller's. */
    public Properties producerProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    public String bootstrapServers() {
        return properties.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    public String topic() {
        return topic;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    /** The most bytes of serialised records the queue holds at once. */
    public long queueBytes() {
        return queueBytes;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** How often the sink hands its queued records to the producer while they flow. */
    public Duration handOverInterval() {
        return handOverInterval;
    }

    /** Reads a Java properties file of producer (or consumer) properties. */
    public static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p;
    }

    /** Parses {@code KEY=VALUE}; a missing '=' or an empty key is an {@link IllegalArgumentException}. */
    public static Map.Entry<String, String> parseProperty(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("Kafka property \"" + text + "\" is not KEY=VALUE");
        }
        return Map.entry(text.substring(0, eq).strip(), text.substring(eq + 1));
    }

    public static final class Builder {
        private final String bootstrap;
        private final Properties properties = new Properties();
        private String topic = DEFAULT_TOPIC;
        private int queueCapacity = 20_000;
        private long queueBytes = 32L << 20;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Duration handOverInterval = Duration.ofSeconds(1);

        private Builder(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** A producer property; later calls win. */
        public Builder property(String key, String value) {
            properties.setProperty(key, value);
            return this;
        }

        public Builder properties(Properties more) {
            more.forEach((k, v) -> properties.setProperty(k.toString(), v.toString()));
            return this;
        }

        /** Records held while the broker is slow or away (default 20,000); beyond it they are dropped and counted. */
        public Builder queueCapacity(int records) {
            this.queueCapacity = records;
            return this;
        }

        /**
         * The most bytes of serialised records held (default 32 MiB): records with long command lines
         * fill memory before they fill the count; beyond it they are dropped and counted as when the
         * queue is full.
         */
        public Builder queueBytes(long bytes) {
            this.queueBytes = bytes;
            return this;
        }

        /** How long {@link KafkaSink#close()} tries to deliver what it holds (default 10 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * How often the sink hands the records it queued to the producer while they flow (default
         * 1 s; at most 60 s; 0: at each of the monitor's flushes, every 100 ms or so). Each hand-over
         * wakes the sink's thread and the producer's about three times (a new batch, its linger,
         * the broker's answer), and here a wake-up costs more CPU than a second's records: a record
         * reaches the broker up to this much later, in fewer requests. A queue half full is handed
         * over at once.
         */
        public Builder handOverInterval(Duration interval) {
            this.handOverInterval = interval;
            return this;
        }

        public KafkaSinkConfig build() {
            return new KafkaSinkConfig(this);
        }
    }
}
