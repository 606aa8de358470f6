package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the name policy: any bytes a user can put in a name decode to text without a
 * control character that encodes back to exactly those bytes, and any text encodes. The regression
 * corpus ({@code CommandNamesFuzzTestInputs}) runs with the unit tests; {@code bench/fuzz.sh} fuzzes.
 */
class CommandNamesFuzzTest {

    @FuzzTest
    void decodeIsSafeAndReversible(byte[] name) {
        String text = CommandNames.decode(name);
        assertThat(CommandNames.hasControl(text)).as("control left in %s", text).isFalse();
        assertThat(CommandNames.encode(text)).isEqualTo(name);
    }

    @FuzzTest
    void anyTextEncodesAndEscapes(byte[] utf8) {
        String text = new String(utf8, StandardCharsets.UTF_8);
        byte[] bytes = CommandNames.encode(text);
        assertThat(CommandNames.hasControl(CommandNames.decode(bytes))).isFalse();
        String escaped = CommandNames.escapeControls(text);
        assertThat(CommandNames.hasControl(escaped)).isFalse();
        if (!CommandNames.hasControl(text)) {
            assertThat(escaped).isSameAs(text);
        }
    }
}
