package io.procmon.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A process's command line, as the kernel had it ({@code /proc/PID/cmdline}: NUL-separated
 * arguments), possibly cut at a bound.
 *
 * @param values the arguments; one that is not valid UTF-8 or holds a control character
 *     ({@link CommandNames#isControl}) is written in {@link CommandNames}' escaped form
 * @param truncated whether the command line was longer than what was recorded (the last value is then cut)
 * @param totalBytes the whole command line's length in bytes, NULs included
 */
public record Arguments(List<String> values, boolean truncated, long totalBytes) {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    public Arguments {
        values = List.copyOf(values);
    }

    /** From the raw bytes recorded and the command line's total length. */
    public static Arguments fromCmdline(byte[] bytes, long totalBytes) {
        boolean truncated = bytes.length < totalBytes;
        List<String> values = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                values.add(text(Arrays.copyOfRange(bytes, start, i)));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            values.add(text(Arrays.copyOfRange(bytes, start, bytes.length))); // cut, or missing its NUL
        }
        return new Arguments(values, truncated, Math.max(totalBytes, bytes.length));
    }

    /**
     * The arguments joined by spaces, each quoted for a POSIX shell where needed, so that
     * {@code shlex.split} (or the shell) gives back the exact arguments.
     */
    public String shellQuoted() {
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(v));
        }
        return sb.toString();
    }

    /** One argument quoted for a POSIX shell: bare when safe, else in single quotes. */
    public static String quote(String value) {
        if (!value.isEmpty() && SAFE.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /**
     * Printable UTF-8 is kept exactly (backslashes too: arguments are full of them); otherwise the
     * lossless escaped form of {@link CommandNames}, so no argument writes a control character.
     */
    private static String text(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return CommandNames.hasControl(text) ? CommandNames.decode(bytes) : text;
        } catch (CharacterCodingException e) {
            return CommandNames.decode(bytes);
        }
    }
}
