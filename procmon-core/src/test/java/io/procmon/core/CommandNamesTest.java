package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"bash", "a,b", "say \"hi\"", " lead", "=cmd", "+x", "-y",
            "@z", "naïve-ünï", "日本語", "back\\slash", "<!--<script>", "`${x}`"})
    void printableUtf8IsKeptAndRoundTrips(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        String text = CommandNames.decode(bytes);

        assertThat(text.replace("\\\\", "\\")).isEqualTo(name);
        assertThat(CommandNames.encode(text)).isEqualTo(bytes);
    }

    /** What would act on a terminal or a reader instead of showing: escaped by its UTF-8 bytes. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "'line\nbreak'|line\\x0abreak", "'cr\rhere'|cr\\x0dhere", "'tab\there'|tab\\x09here",
        "'\u001b[31mred'|\\x1b[31mred", "'\u001b]0;title\u0007'|\\x1b]0;title\\x07", "'del\u007f'|del\\x7f",
        "'csi\u009b2J'|csi\\xc2\\x9b2J", "'\u202eexe.txt'|\\xe2\\x80\\xaeexe.txt", "'a\u2028b'|a\\xe2\\x80\\xa8b",
        "'\u2066iso\u2069'|\\xe2\\x81\\xa6iso\\xe2\\x81\\xa9",
    })
    void controlCharactersAreEscapedAndRoundTrip(String name, String expected) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        String text = CommandNames.decode(bytes);

        assertThat(text).isEqualTo(expected);
        assertThat(CommandNames.hasControl(text)).isFalse();
        assertThat(CommandNames.encode(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\xZZ", "\\x", "\\x1", "end\\", "\\q", "\\x\u0661\u0662"})
    void anyTextEncodesWithoutFailingAStrayBackslashStandingForItself(String text) {
        assertThat(CommandNames.encode(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pathsKeepTheirBackslashesAndLoseOnlyTheirControls() {
        assertThat(CommandNames.escapeControls("/system.slice/system-systemd\\x2dfsck.slice")).isEqualTo("/system.slice/system-systemd\\x2dfsck.slice");
        assertThat(CommandNames.escapeControls("/user.slice/\u001b[2Jx\ny")).isEqualTo("/user.slice/\\x1b[2Jx\\x0ay");
    }

    @Test
    void invalidBytesAreEscapedLosslessly() {
        byte[] bytes = {'a', (byte) 0xff, 'b', (byte) 0xe6, (byte) 0x97}; // 0xe6 0x97: a character cut by the 15-byte limit
        String text = CommandNames.decode(bytes);

        assertThat(text).isEqualTo("a\\xffb\\xe6\\x97");
        assertThat(CommandNames.encode(text)).isEqualTo(bytes);
    }

    @Test
    void everyByteStringRoundTrips() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(15)];
            random.nextBytes(bytes);
            for (int j = 0; j < bytes.length; j++) {
                if (bytes[j] == 0) {
                    bytes[j] = 1;
                }
            }
            String text = CommandNames.decode(bytes);
            assertThat(CommandNames.encode(text)).as("bytes %s", java.util.Arrays.toString(bytes)).isEqualTo(bytes);
            assertThat(CommandNames.hasControl(text)).as("bytes %s", java.util.Arrays.toString(bytes)).isFalse();
        }
    }
}
