package io.procmon.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.procmon.core.Health;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (the Prometheus text format, version 0.0.4) and {@code GET /healthz}
 * (200 "ok", or 503 and one line saying what is wrong) over HTTP; nothing else, and nothing that
 * writes.
 *
 * <p>Bounded against a flood, so that no client can stall the monitor or grow its memory: the JDK's
 * server is limited to {@value #MAX_CONNECTIONS} connections, requests must arrive within
 * {@value #MAX_REQUEST_SECONDS} s with at most {@value #MAX_HEADERS} headers of
 * {@value #MAX_HEADER_BYTES} bytes, and {@value #HANDLER_THREADS} threads answer (the server's own
 * thread too when they are busy). The monitor's reader and dispatcher never wait for it.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    static final int MAX_CONNECTIONS = 32;
    static final int MAX_REQUEST_SECONDS = 5;
    static final int MAX_HEADERS = 64;
    static final int MAX_HEADER_BYTES = 16_384;
    static final int HANDLER_THREADS = 2;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ThreadPoolExecutor handlers;
    private final ProcmonMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Object scrapeLock = new Object();
    private boolean closed;

    private MetricsServer(HttpServer server, ThreadPoolExecutor handlers, ProcmonMetrics metrics) {
        this.server = server;
        this.handlers = handlers;
        this.metrics = metrics;
    }

    /**
     * Listens on {@code address} (port 0: any free port, see {@link #address()}) and serves until closed.
     *
     * @throws IOException when the address cannot be bound (in use, not this host's)
     */
    public static MetricsServer start(InetSocketAddress address, ProcmonMetrics metrics) throws IOException {
        limitTheJdkServer();
        HttpServer server = HttpServer.create(address, MAX_CONNECTIONS);
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_CONNECTIONS), r -> {
                    Thread t = new Thread(r, "procmon-metrics-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        handlers.allowCoreThreadTimeOut(true); // no thread waits while nobody scrapes
        MetricsServer metricsServer = new MetricsServer(server, handlers, metrics);
        server.createContext("/", metricsServer::handle);
        server.setExecutor(handlers);
        server.start();
        return metricsServer;
    }

    /**
     * The JDK's server reads its limits once, from system properties, when it is first used: set
     * them unless the application did.
     */
    private static void limitTheJdkServer() {
        Map<String, String> limits = Map.of(
                "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS),
                "sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS),
                "sun.net.httpserver.maxRspTime", Integer.toString(MAX_REQUEST_SECONDS),
                "sun.net.httpserver.maxReqHeaders", Integer.toString(MAX_HEADERS),
                "sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES),
                "sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_CONNECTIONS / 4));
        limits.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    /** The address it listens on (with the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8), false);
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> respond(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, scrape(), head);
                case "/healthz" -> {
                    Health health = metrics.health();
                    respond(exchange, health.healthy() ? 200 : 503, TEXT,
                            (health.reason() + "\n").getBytes(StandardCharsets.UTF_8), head);
                }
                default -> respond(exchange, 404, TEXT, "not found: try /metrics or /healthz\n".getBytes(StandardCharsets.UTF_8), head);
            }
        } catch (IOException | RuntimeException e) {
            // A client that went away, or a metric that could not be read: the next scrape tries again.
            LOG.debug("metrics request failed", e);
        }
    }

    /** One scrape at a time: the text is held in memory whole, so at most one copy exists. */
    private byte[] scrape() throws IOException {
        synchronized (scrapeLock) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
            writer.write(out, metrics.registry().scrape());
            return out.toByteArray();
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops listening and answering; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        handlers.shutdownNow();
    }
}
