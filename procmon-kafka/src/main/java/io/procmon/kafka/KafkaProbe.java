package io.procmon.kafka;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Asks the cluster to describe itself, to tell an operator early that the brokers are not there. */
public final class KafkaProbe {
    private KafkaProbe() {
    }

    /** Why the brokers of {@code config} did not answer within {@code timeout}, or empty when they did. */
    public static Optional<String> unreachable(KafkaSinkConfig config, Duration timeout) {
        Properties p = new Properties();
        config.producerProperties().forEach((k, v) -> {
            String key = k.toString();
            if (AdminClientConfig.configNames().contains(key)) {
                p.put(key, v);
            }
        });
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "procmon-probe");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).clusterId()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                return Optional.of("no answer within " + timeout.toSeconds() + " s");
            }
            return Optional.of(String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.of("no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }
}
