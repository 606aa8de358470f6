package io.procmon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import io.procmon.core.testing.CapturingSource;
import io.procmon.core.EventSourceException;
import io.procmon.core.Monitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint over real loopback HTTP. */
class MetricsServerTest {
    private final CapturingSource source = new CapturingSource();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Monitor monitor;
    private MetricsServer server;

    @BeforeEach
    void serve() throws IOException {
        monitor = Monitor.builder(source).sink("file", e -> { }).userNames(uid -> Optional.empty()).build();
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ProcmonMetrics.builder(monitor).version("1.2.3").build());
    }

    @AfterEach
    void stop() {
        server.close();
        monitor.close();
    }

    private HttpResponse<String> request(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreTheTextFormat() throws Exception {
        HttpResponse<String> r = request("GET", "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE procmon_processes_total counter\n")
                .contains("procmon_build_info{version=\"1.2.3\"} 1\n");
    }

    @Test
    void healthIs503UntilAttachedThen200ThenSaysWhyNot() throws Exception {
        HttpResponse<String> before = request("GET", "/healthz");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("not attached yet\n");

        monitor.start();
        HttpResponse<String> ok = request("GET", "/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");

        source.listener().onFailure(new EventSourceException("cannot read the kernel's events any more: EBADF"));
        HttpResponse<String> failed = request("GET", "/healthz");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).isEqualTo("event source failed: cannot read the kernel's events any more: EBADF\n");
        assertThat(request("GET", "/metrics").body()).contains("procmon_healthy 0.0\n");
    }

    @Test
    void nothingElseIsServedAndNothingWrites() throws Exception {
        assertThat(request("GET", "/").statusCode()).isEqualTo(404);
        assertThat(request("GET", "/metrics/../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(request("GET", "/metrics?name[]=x").statusCode()).isEqualTo(200);
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> r = request(method, "/metrics");
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
        }
        HttpResponse<String> head = request("HEAD", "/metrics");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void anOversizedRequestIsRefusedAndTheServerGoesOn() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(MetricsServer.MAX_REQUEST_BYTES * 2) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 431 ").doesNotContain("procmon_processes_total");
        } catch (java.net.SocketException closedOnUs) {
            // the server may close before reading the whole request: refused too
        }
        assertThat(request("GET", "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void idleConnectionsBeyondTheLimitDoNotStopScrapesForLong() throws Exception {
        Socket[] idle = new Socket[(MetricsServer.HANDLER_THREADS + MetricsServer.QUEUED_CONNECTIONS) * 3];
        try {
            for (int i = 0; i < idle.length; i++) {
                idle[i] = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
                idle[i].getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII)); // and never finishes
            }
            // The slow requests are cut at the request time limit; scrapes are answered again after it.
            long deadline = System.nanoTime() + Duration.ofMillis(MetricsServer.MAX_REQUEST_MILLIS * 4L).toNanos();
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                try {
                    status = request("GET", "/healthz").statusCode() == 503 ? 200 : 0;
                } catch (IOException refusedMeanwhile) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as("answered while %d connections hang", idle.length).isEqualTo(200);
        } finally {
            for (Socket s : idle) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
