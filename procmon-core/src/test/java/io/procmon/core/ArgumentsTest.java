package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
    private static byte[] cmdline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String a : args) {
            out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    @Test
    void nulSeparatedArgumentsAreSplitAndTheirTotalKept() {
        byte[] bytes = cmdline("echo", "hello", "", "wörld");
        Arguments a = Arguments.fromCmdline(bytes, bytes.length);
        assertThat(a.values()).containsExactly("echo", "hello", "", "wörld");
        assertThat(a.truncated()).isFalse();
        assertThat(a.totalBytes()).isEqualTo(bytes.length);

        Arguments cut = Arguments.fromCmdline(java.util.Arrays.copyOf(bytes, 8), bytes.length);
        assertThat(cut.values()).containsExactly("echo", "hel");
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.totalBytes()).isEqualTo(bytes.length);
        assertThat(Arguments.fromCmdline(new byte[0], 0).values()).isEmpty();
    }

    @Test
    void invalidUtf8IsEscapedAsCommandsAre() {
        byte[] bytes = {'a', (byte) 0xff, 0, 'b', '\\', 0};
        assertThat(Arguments.fromCmdline(bytes, bytes.length).values()).containsExactly("a\\xff", "b\\");
    }

    @Test
    void argumentsWithControlCharactersAreEscapedReversibly() {
        byte[] bytes = "ok\0\u001b]0;owned\u0007\0line\nbreak\\x\0\u202egnp.exe\0".getBytes(StandardCharsets.UTF_8);
        List<String> values = Arguments.fromCmdline(bytes, bytes.length).values();
        assertThat(values).containsExactly("ok", "\\x1b]0;owned\\x07", "line\\x0abreak\\\\x", "\\xe2\\x80\\xaegnp.exe");
        assertThat(values).noneMatch(CommandNames::hasControl);
        assertThat(CommandNames.encode(values.get(2))).isEqualTo("line\nbreak\\x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theQuotedFieldGivesBackTheExactArgumentsInARealShell() throws Exception {
        List<String> hostile = List.of("plain", "", "two words", "it's", "\"double\"", "$HOME", "`id`", "back\\slash", "*", "~user", "wörld", "-n", "semi;colon", "a=b", "--opt=x y");
        String quoted = new Arguments(hostile, false, 0).shellQuoted();
        Process sh = new ProcessBuilder("sh", "-c", "printf '%s\\0' " + quoted).start();
        byte[] out = sh.getInputStream().readAllBytes();
        assertThat(sh.waitFor()).isZero();
        assertThat(Arguments.fromCmdline(out, out.length).values()).isEqualTo(hostile);
    }
}
