package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"bash", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "tab\there", " lead", "=cmd", "+x", "-y",
            "@z", "naïve-ünï", "日本語", "back\\slash"})
    void validUtf8IsKeptAndRoundTrips(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        String text = CommandNames.decode(bytes);

        assertThat(text.replace("\\\\", "\\")).isEqualTo(name);
        assertThat(CommandNames.encode(text)).isEqualTo(bytes);
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
            assertThat(CommandNames.encode(CommandNames.decode(bytes))).as("bytes %s", java.util.Arrays.toString(bytes))
                    .isEqualTo(bytes);
        }
    }
}
