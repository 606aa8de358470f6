package io.procmon.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.report.Recording.Gap;
import io.procmon.report.Recording.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes one self-contained HTML report: the timeline drawn on a canvas by a script inside the
 * file (no library, nothing fetched), and summary panels as HTML tables computed here.
 *
 * <p>Every name in it was chosen by some user of the recorded host, so none may become markup: in
 * the page's text they are HTML-escaped, and in the script's data {@code <}, {@code >}, {@code &}
 * and U+2028/U+2029 are JSON escapes, so no name ends the script, opens a comment in it or breaks
 * its string literals. A Content-Security-Policy allows only this page's own script and style (by
 * their hashes): no other script runs, no inline handler, nothing is fetched.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** Writes the report of {@code recording}, titled {@code title}. */
    public static void write(Recording recording, String title, Writer out) throws IOException {
        Timeline timeline = Timeline.layout(recording.processes());
        String template;
        try (InputStream in = ReportWriter.class.getResourceAsStream("report.html")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int scriptAt = template.indexOf(SCRIPT_OPEN) + SCRIPT_OPEN.length();
        int scriptEnd = template.indexOf(SCRIPT_CLOSE, scriptAt);
        int styleAt = template.indexOf(STYLE_OPEN) + STYLE_OPEN.length();
        String script = template.substring(scriptAt, scriptEnd).replace("/*DATA*/", data(timeline, recording.gaps()));
        String policy = "default-src 'none'; script-src " + sha256(script) + "; style-src "
                + sha256(template.substring(styleAt, template.indexOf(STYLE_CLOSE, styleAt))) + "; base-uri 'none'; form-action 'none'";
        int panelsAt = template.indexOf("<!--PANELS-->");
        out.write(template.substring(0, panelsAt).replace("<!--TITLE-->", html(title)).replace("<!--CSP-->", html(policy)));
        out.write(panels(recording));
        out.write(template, panelsAt, scriptAt - panelsAt);
        out.write(script);
        out.write(template, scriptEnd, template.length() - scriptEnd);
    }

    private static final String SCRIPT_OPEN = "<script>";
    private static final String SCRIPT_CLOSE = "</script>";
    private static final String STYLE_OPEN = "<style>";
    private static final String STYLE_CLOSE = "</style>";

    /** A CSP source for an inline element's text: {@code 'sha256-BASE64'} of its UTF-8 bytes. */
    private static String sha256(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + java.util.Base64.getEncoder().encodeToString(digest) + "'";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e); // required of every Java platform
        }
    }

    /**
     * JSON text that is safe inside a script element: {@code <}, {@code >} and {@code &} (which
     * could end the element or open a comment in it) and U+2028/U+2029 as JSON escapes. JSON
     * has them only inside strings, where the escape means the same character.
     */
    static String scriptSafe(String json) {
        StringBuilder sb = new StringBuilder(json.length() + 64);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '<' -> sb.append("\\u003c");
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                case '\u2028' -> sb.append("\\u2028");
                case '\u2029' -> sb.append("\\u2029");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The timeline's data, columnar, times in µs from the first start, {@link #scriptSafe}. */
    private static String data(Timeline t, List<Gap> gaps) throws IOException {
        List<Proc> procs = t.processes();
        long t0 = procs.stream().mapToLong(Proc::startMicros).min().orElse(0);
        Map<String, Integer> commands = new LinkedHashMap<>();
        Map<String, Integer> users = new LinkedHashMap<>();
        Map<String, Integer> hosts = new LinkedHashMap<>();
        StringWriter buf = new StringWriter(procs.size() * 40);
        try (JsonGenerator g = JsonFactory.builder().build().createGenerator(buf)) {
            g.writeStartObject();
            g.writeNumberField("t0", t0);
            g.writeNumberField("rows", t.rows());
            array(g, "start", procs.size(), i -> g.writeNumber(procs.get(i).startMicros() - t0));
            array(g, "end", procs.size(), i -> g.writeNumber(procs.get(i).endMicros() - t0));
            array(g, "row", procs.size(), i -> g.writeNumber(t.rowOf(i)));
            array(g, "pid", procs.size(), i -> g.writeNumber(procs.get(i).pid()));
            array(g, "ppid", procs.size(), i -> g.writeNumber(procs.get(i).ppid()));
            array(g, "parent", procs.size(), i -> g.writeNumber(t.parentOf(i)));
            array(g, "cmd", procs.size(), i -> g.writeNumber(commands.computeIfAbsent(procs.get(i).command(), k -> commands.size())));
            array(g, "user", procs.size(), i -> g.writeNumber(users.computeIfAbsent(procs.get(i).user(), k -> users.size())));
            array(g, "host", procs.size(), i -> g.writeNumber(hosts.computeIfAbsent(procs.get(i).host(), k -> hosts.size())));
            array(g, "code", procs.size(), i -> g.writeNumber(procs.get(i).exitCode()));
            array(g, "sig", procs.size(), i -> g.writeNumber(procs.get(i).signal()));
            array(g, "open", procs.size(), i -> g.writeNumber(procs.get(i).open() ? 1 : 0));
            g.writeArrayFieldStart("commands");
            for (String c : commands.keySet()) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("users");
            for (String u : users.keySet()) {
                g.writeString(u);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("hosts");
            for (String h : hosts.keySet()) {
                g.writeString(h);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("gaps");
            for (Gap gap : gaps) {
                g.writeStartArray();
                g.writeNumber(gap.atMicros() - t0);
                g.writeNumber(gap.count());
                g.writeString(gap.origin());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return scriptSafe(buf.toString());
    }

    private interface Cell {
        void write(int i) throws IOException;
    }

    private static void array(JsonGenerator g, String name, int n, Cell cell) throws IOException {
        g.writeArrayFieldStart(name);
        for (int i = 0; i < n; i++) {
            cell.write(i);
        }
        g.writeEndArray();
    }

    /**
     * The overview line and the panels' places: the page's script fills the panels from its data,
     * for the whole recording or the host chosen, so they are computed in one place.
     */
    static String panels(Recording r) {
        List<Proc> procs = r.processes();
        StringBuilder sb = new StringBuilder();
        long first = procs.stream().mapToLong(Proc::startMicros).min().orElse(0);
        long last = procs.stream().mapToLong(Proc::endMicros).max().orElse(0);
        long lost = r.gaps().stream().mapToLong(Gap::count).sum();
        sb.append("<p id=\"overview\">").append(String.format(Locale.ROOT, "%,d processes", procs.size()));
        if (!procs.isEmpty()) {
            sb.append(" from ").append(Instant.ofEpochSecond(first / 1_000_000, first % 1_000_000 * 1000))
                    .append(String.format(Locale.ROOT, " over %.1f s", (last - first) / 1e6));
        }
        long hosts = procs.stream().map(Proc::host).filter(h -> !h.isEmpty()).distinct().count();
        if (hosts > 1) {
            sb.append(String.format(Locale.ROOT, " on %d hosts", hosts));
        }
        sb.append(String.format(Locale.ROOT, "; <span id=\"lost\">%,d</span> events lost", lost));
        sb.append("</p>\n<noscript><p>The panels and the timeline are drawn by the page's script.</p></noscript>\n");
        sb.append("<div class=\"panels\">\n");
        if (hosts > 1) {
            section(sb, "hosts", "Hosts");
        }
        section(sb, "top-count", "Top commands by count");
        section(sb, "top-time", "Top commands by total time");
        section(sb, "slowest", "Slowest processes");
        section(sb, "failures", "Failures by exit code and signal");
        sb.append("<section><h2>Processes started per second</h2><canvas id=\"rate\" width=\"360\" height=\"120\"></canvas></section>\n");
        sb.append("</div>\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, String id, String title) {
        sb.append("<section><h2>").append(html(title)).append("</h2><table id=\"").append(id).append("\"></table></section>\n");
    }

    static String html(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

}
