package io.procmon.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report of processes whose names (any user chooses them), users and title are markup, script
 * and the characters that end a script element or a string literal, opened in a real browser (the
 * distribution's headless Chromium): the page gets ready without an error, draws every name as
 * text, runs no script but its own, and its Content-Security-Policy stops inline handlers and
 * network requests.
 */
class HostileNamesReportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> HOSTILE = List.of(
            "<!--<script>", "<script>", "</script>", "</SCRIPT >", "<!--", "-->", "<![CDATA[", "]]>",
            "<img src=x onerror=window.pwned=1>", "<svg onload=window.pwned=1>", "<iframe src=javascript:window.pwned=1>",
            "</style><script>window.pwned=1</script>", "</title><script>window.pwned=1</script>",
            "\"", "'", "\\", "`${window.pwned=1}`", "\u2028", "\u2029", "a\u2028b\u2029c", "&lt;&amp;", "&#x3c;script&#x3e;",
            "\\x3cscript\\x3e", "\\u003c/script\\u003e", "\"};window.pwned=1;//", "'});window.pwned=1;//",
            "<a href=javascript:window.pwned=1>x</a>", "<base href=http://127.0.0.1:1/>", "<meta http-equiv=refresh content=0>",
            "<link rel=stylesheet href=http://127.0.0.1:1/x.css>", "{{constructor.constructor('window.pwned=1')()}}",
            "\ufeffbom", "日本語", "x".repeat(100_000), "<!-- " + "<".repeat(50_000));

    @Test
    void hostileNamesAreShownAsTextAndRunNothing(@TempDir Path dir) throws Exception {
        try (Chromium b = Chromium.start(1200, 800)) {
            // Each name alone (one may undo another: a "-->" after a "<!--" ends what it began), then all together.
            for (int i = 0; i < HOSTILE.size(); i++) {
                assertShownAsText(b, dir.resolve("alone-" + i + ".html"), List.of(HOSTILE.get(i)));
            }
            assertShownAsText(b, dir.resolve("all.html"), HOSTILE);

            // The policy itself: an inline handler added now does not run, and nothing may be fetched.
            assertThat(b.eval("document.querySelector('meta[http-equiv=Content-Security-Policy]').content").asText())
                    .startsWith("default-src 'none'; script-src 'sha256-");
            assertThat(b.eval("new Promise(done => {"
                    + " const seen = [];"
                    + " document.addEventListener('securitypolicyviolation', e => seen.push(e.effectiveDirective));"
                    + " const div = document.createElement('div');"
                    + " div.setAttribute('onclick', 'window.handlerRan = 1'); document.body.appendChild(div); div.click();"
                    + " fetch('http://127.0.0.1:9/').then(() => seen.push('fetched'), () => {}).finally(() =>"
                    + "   setTimeout(() => done(JSON.stringify({seen: seen.sort(), ran: typeof window.handlerRan})), 200));"
                    + "})").asText()).isEqualTo("{\"seen\":[\"connect-src\",\"script-src-attr\"],\"ran\":\"undefined\"}");
        }
    }

    /** Writes a report of one failed process per name (each also its user and host), titled hostilely, and checks it in {@code b}. */
    private static void assertShownAsText(Chromium b, Path html, List<String> names) throws Exception {
        List<Recording.Proc> procs = new ArrayList<>();
        long t = 1_764_000_000_000_000L;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            // Failed and slow, so that each name is in the panels too, not only in the script's data.
            procs.add(new Recording.Proc(1000 + i, 1, name, name, name, t + i * 1000L, t + i * 1000L + 5_000_000L + i, 1, -1));
        }
        String title = "</title><script>window.pwned=1</script><!--";
        try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
            ReportWriter.write(Recording.of(procs, List.of(new Recording.Gap(t, 3, "<b>kernel_buffer</b>"))), title, w);
        }
        b.open(html);
        String about = "report of " + (names.size() == 1 ? names.get(0).substring(0, Math.min(40, names.get(0).length())) : "all names");
        for (int i = 0; i < 100 && !b.eval("window.procmonReport && window.procmonReport.ready === true").asBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(b.eval("window.procmonReport && window.procmonReport.ready === true").asBoolean())
                .as("%s: ready; errors %s", about, b.errors()).isTrue();
        assertThat(b.errors()).as(about).isEmpty();
        assertThat(b.eval("window.procmonReport.errors.length").asInt()).as(about).isZero();
        assertThat(b.eval("typeof window.pwned").asText()).as(about).isEqualTo("undefined");

        // The page holds exactly its own elements: no name became one.
        assertThat(b.eval("document.scripts.length").asInt()).as(about).isEqualTo(1);
        assertThat(b.eval("document.querySelectorAll('img,svg,iframe,a,base,link,object,embed,b,meta[http-equiv=refresh]').length")
                .asInt()).as(about).isZero();
        assertThat(b.eval("[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length")
                .asInt()).as(about).isZero();
        assertThat(b.eval("document.title").asText()).as(about).isEqualTo(title + " — procmon report");
        assertThat(b.eval("document.querySelector('h1').textContent").asText()).as(about).isEqualTo(title);

        // The script's data are the names, character for character, and the panels show them as text.
        JsonNode commands = JSON.readTree(b.eval("JSON.stringify(D.commands)").asText());
        List<String> shown = new ArrayList<>();
        commands.forEach(c -> shown.add(c.asText()));
        assertThat(shown).as(about).containsExactlyInAnyOrderElementsOf(names);
        assertThat(b.eval("[...document.querySelectorAll('td')].some(td => td.textContent === " + JSON.writeValueAsString(names.get(0))
                + ")").asBoolean()).as(about).isTrue();
    }
}
