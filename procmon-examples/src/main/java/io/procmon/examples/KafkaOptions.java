package io.procmon.examples;

import io.procmon.kafka.KafkaSinkConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
            description = "A Kafka client property (TLS, SASL, batching...); repeatable; wins over --kafka-config. "
                    + "Every user can read a command line: put secrets in --kafka-config.")
    List<String> properties = new ArrayList<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "A file of Kafka client properties (Java properties format); the place for credentials, mode 0600.")
    Path config;

    /**
     * The client properties from --kafka-config and --kafka-property, in that order; bad input is an
     * IllegalArgumentException. Credentials other users can read are worth a warning on {@code err}:
     * a secret on the command line (every user reads {@code /proc/PID/cmdline}, and procmon's own
     * {@code --args} records it), or a config file readable by group or others.
     */
    Properties clientProperties(PrintStream err) {
        Properties p = new Properties();
        if (config != null) {
            try {
                p.putAll(KafkaSinkConfig.load(config));
                warnIfReadableByOthers(config, err);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --kafka-config " + config + ": " + ProcmonCli.describe(e));
            }
        }
        for (String text : properties) {
            Map.Entry<String, String> kv = KafkaSinkConfig.parseProperty(text);
            p.setProperty(kv.getKey(), kv.getValue());
            if (isSecret(kv.getKey())) {
                err.println("procmon: warning: --kafka-property " + kv.getKey() + " is readable by every user of this host "
                        + "in the command line; put it in a --kafka-config file of mode 0600");
            }
        }
        return p;
    }

    /** Client properties that carry a credential: SASL's JAAS line and every password or key. */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("sasl.jaas.config") || k.equals("ssl.keystore.key") || k.contains("password") || k.contains("secret");
    }

    private static void warnIfReadableByOthers(Path file, PrintStream err) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
            err.println("procmon: warning: --kafka-config " + file + " is readable by other users (" + PosixFilePermissions.toString(mode)
                    + "); if it holds credentials: chmod 600 " + file);
        }
    }
}
