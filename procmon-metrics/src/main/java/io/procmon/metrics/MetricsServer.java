package io.procmon.metrics;

import io.procmon.core.Health;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (the Prometheus text format, version 0.0.4) and {@code GET /healthz}
 * (200 "ok", or 503 and one line saying what is wrong) over HTTP/1.1; nothing else, and nothing
 * that writes. One response per connection ({@code Connection: close}), as a scraper needs.
 *
 * <p>A server of its own rather than the JDK's: that one wakes several threads every second while
 * nobody scrapes and takes its limits from JVM-wide system properties. Here one thread sleeps in
 * {@code accept(2)} until a client comes, so an unscraped endpoint costs nothing; and every
 * resource is bounded, so no client can stall the monitor or grow its memory: a request must
 * arrive whole within {@value #MAX_REQUEST_MILLIS} ms of connecting and {@value #MAX_REQUEST_BYTES} bytes,
 * {@value #HANDLER_THREADS} threads answer, at most {@value #QUEUED_CONNECTIONS} connections wait
 * for them, and further ones are closed at once. The monitor's reader and dispatcher never wait for it.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    static final int MAX_REQUEST_MILLIS = 5_000;
    static final int MAX_REQUEST_BYTES = 8_192;
    static final int HANDLER_THREADS = 2;
    static final int QUEUED_CONNECTIONS = 16;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final ServerSocket listener;
    private final ThreadPoolExecutor handlers;
    private final ProcmonMetrics metrics;
    private final Thread acceptor;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Object scrapeLock = new Object();
    private volatile boolean closed;

    private MetricsServer(ServerSocket listener, ProcmonMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_CONNECTIONS), r -> daemon(r, "procmon-metrics-" + threads.incrementAndGet()));
        handlers.allowCoreThreadTimeOut(true); // no thread kept while nobody scrapes
        this.acceptor = daemon(this::acceptLoop, "procmon-metrics-accept");
    }

    /**
     * Listens on {@code address} (port 0: any free port, see {@link #address()}) and serves until closed.
     *
     * @throws IOException when the address cannot be bound (in use, not this host's)
     */
    public static MetricsServer start(InetSocketAddress address, ProcmonMetrics metrics) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true); // a restarted service gets its port back at once
            listener.bind(address, QUEUED_CONNECTIONS);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        MetricsServer server = new MetricsServer(listener, metrics);
        server.acceptor.start();
        return server;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The address it listens on (with the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("metrics endpoint stopped accepting: {}", e.toString());
                }
                return;
            }
            long deadline = System.nanoTime() + MAX_REQUEST_MILLIS * 1_000_000L; // from now: waiting counts too
            try {
                handlers.execute(() -> serve(client, deadline));
            } catch (RejectedExecutionException busy) {
                closeQuietly(client); // every handler busy and the queue full: a flood, not a scraper
            }
        }
    }

    private void serve(Socket client, long deadlineNanos) {
        try (client) {
            String requestLine = readRequest(client, deadlineNanos);
            OutputStream out = client.getOutputStream();
            if (requestLine == null) {
                respond(out, 431, "Request Header Fields Too Large", TEXT, "request too large\n", false);
                return;
            }
            String[] parts = requestLine.split(" ", -1);
            if (parts.length != 3 || !parts[1].startsWith("/") || !parts[2].startsWith("HTTP/1.")) {
                respond(out, 400, "Bad Request", TEXT, "bad request\n", false);
                return;
            }
            boolean head = parts[0].equals("HEAD");
            if (!head && !parts[0].equals("GET")) {
                respond(out, 405, "Method Not Allowed", TEXT, "only GET and HEAD\n", false);
                return;
            }
            int query = parts[1].indexOf('?');
            String path = query < 0 ? parts[1] : parts[1].substring(0, query);
            switch (path) {
                case "/metrics" -> respond(out, 200, "OK", PrometheusTextFormatWriter.CONTENT_TYPE, scrape(), head);
                case "/healthz" -> {
                    Health health = metrics.health();
                    respond(out, health.healthy() ? 200 : 503, health.healthy() ? "OK" : "Service Unavailable", TEXT,
                            health.reason() + "\n", head);
                }
                default -> respond(out, 404, "Not Found", TEXT, "not found: try /metrics or /healthz\n", head);
            }
        } catch (IOException | RuntimeException e) {
            // A client that went away or was too slow, or a metric that could not be read: the next scrape tries again.
            LOG.debug("metrics request failed", e);
        }
    }

    /**
     * Reads the request head (up to the empty line) before the deadline and within the byte bound;
     * returns its first line, or null when it is larger than {@value #MAX_REQUEST_BYTES} bytes.
     *
     * @throws IOException when the client is too slow, or goes away first
     */
    private static String readRequest(Socket client, long deadlineNanos) throws IOException {
        InputStream in = client.getInputStream();
        byte[] head = new byte[MAX_REQUEST_BYTES];
        int n = 0;
        while (true) {
            if (n == head.length) {
                return null;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                throw new SocketException("request not complete within " + MAX_REQUEST_MILLIS + " ms of connecting");
            }
            client.setSoTimeout((int) left);
            int read = in.read(head, n, head.length - n);
            if (read < 0) {
                throw new IOException("client closed before its request ended");
            }
            n += read;
            int end = endOfHead(head, n);
            if (end >= 0) {
                String text = new String(head, 0, end, StandardCharsets.ISO_8859_1);
                int eol = text.indexOf('\n');
                return (eol < 0 ? text : text.substring(0, eol)).strip();
            }
        }
    }

    /** Where the empty line ending the head starts, or -1 when it has not come yet. */
    private static int endOfHead(byte[] b, int n) {
        for (int i = 0; i + 1 < n; i++) {
            if (b[i] == '\n' && (b[i + 1] == '\n' || (b[i + 1] == '\r' && i + 2 < n && b[i + 2] == '\n'))) {
                return i;
            }
        }
        return -1;
    }

    /** One scrape at a time: the text is held in memory whole, so at most one copy exists. */
    private byte[] scrape() throws IOException {
        synchronized (scrapeLock) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
            writer.write(out, metrics.registry().scrape());
            return out.toByteArray();
        }
    }

    private static void respond(OutputStream out, int status, String reason, String type, String body, boolean head) throws IOException {
        respond(out, status, reason, type, body.getBytes(StandardCharsets.UTF_8), head);
    }

    private static void respond(OutputStream out, int status, String reason, String type, byte[] body, boolean head) throws IOException {
        String header = String.format(Locale.ROOT, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                + "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n", status, reason, type, body.length,
                status == 405 ? "Allow: GET, HEAD\r\n" : "");
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(body);
        }
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do: it was being refused
        }
    }

    /** Stops listening and answering; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            listener.close(); // ends the acceptor's accept()
        } catch (IOException e) {
            LOG.debug("closing the metrics listener", e);
        }
        handlers.shutdownNow();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
