package io.procmon.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzz target for the recording reader and the report drawn from it: any bytes (CSV or JSON Lines)
 * read as a recording or are refused in one line, and no name in what was read becomes markup. The
 * report is drawn twice, from the recording and from the same recording with each distinct name
 * replaced by a plain word: the two must have the same sequence of tags, comments and script
 * boundaries, so no name ended the script, opened a comment or added an element or attribute.
 * Seeded with recordings a real monitor wrote ({@code RecordingFuzzTestInputs}).
 */
class RecordingFuzzTest {
    /** Comment delimiters and tags; of a tag, its name and attribute names (values may hold escaped names). */
    private static final Pattern MARKUP = Pattern.compile("<!--|-->|<[a-zA-Z/!?][^>]*>?");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"|'[^']*'");
    private static final Pattern ATTRIBUTE = Pattern.compile("\\s([^\\s=/>]+)");

    @FuzzTest
    void anyInputReadsOrIsRefusedAndNoNameBecomesMarkup(byte[] bytes) throws Exception {
        Recording recording;
        try {
            recording = Recording.read(new ByteArrayInputStream(bytes));
        } catch (Recording.BadInputException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(markup(report(recording))).isEqualTo(markup(report(plain(recording))));
    }

    /** The recording with every command, user, host and loss origin renamed {@code nN}, distinct names kept distinct. */
    private static Recording plain(Recording r) {
        Map<String, String> names = new HashMap<>();
        java.util.function.Function<String, String> plain = s -> s == null ? null : names.computeIfAbsent(s, k -> "n" + names.size());
        List<Recording.Proc> procs = new ArrayList<>();
        for (Recording.Proc p : r.processes()) {
            procs.add(new Recording.Proc(p.pid(), p.ppid(), plain.apply(p.command()), plain.apply(p.user()), plain.apply(p.host()),
                    p.startMicros(), p.endMicros(), p.exitCode(), p.signal()));
        }
        List<Recording.Gap> gaps = new ArrayList<>();
        for (Recording.Gap g : r.gaps()) {
            gaps.add(new Recording.Gap(g.atMicros(), g.count(), plain.apply(g.origin())));
        }
        return Recording.of(procs, gaps);
    }

    private static String report(Recording recording) throws java.io.IOException {
        StringWriter out = new StringWriter();
        ReportWriter.write(recording, "fuzz", out);
        return out.toString();
    }

    private static List<String> markup(String html) {
        Matcher m = MARKUP.matcher(html);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            String token = m.group();
            if (token.startsWith("<") && !token.equals("<!--")) {
                Matcher a = ATTRIBUTE.matcher(QUOTED.matcher(token).replaceAll(""));
                StringBuilder tag = new StringBuilder(token.split("[\\s>]", 2)[0]);
                while (a.find()) {
                    tag.append(' ').append(a.group(1));
                }
                token = tag.toString();
            }
            found.add(token);
        }
        return found;
    }
}
