package io.procmon.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The policy for turning a process name's bytes into text, losslessly.
 *
 * <p>A {@code comm} is up to 15 arbitrary bytes, chosen by whoever runs the process: usually UTF-8,
 * but it may hold any byte and may be cut in the middle of a multi-byte character. Printable UTF-8
 * is kept as is. Each byte that is not part of valid UTF-8, and each byte of a character that would
 * act on whoever reads the text rather than show (see {@link #isControl}: a terminal's escape
 * sequences, a line break inside a name, a bidirectional override that reorders what is shown),
 * becomes {@code \xNN} (two lower-case hex digits); a backslash becomes {@code \\}. So the text is
 * safe to print anywhere and {@link #encode(String)} restores the exact bytes.
 */
public final class CommandNames {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CommandNames() {
    }

    /** Decodes comm bytes to text by the policy above. */
    public static String decode(byte[] bytes) {
        if (isPlainAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 4);
        StringBuilder text = new StringBuilder(bytes.length + 8);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            out.flip();
            appendEscaping(text, out);
            out.clear();
            if (result.isUnderflow()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                int b = in.get() & 0xff;
                text.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
            }
        }
        return text.toString();
    }

    /**
     * Whether a character is written escaped: C0 and C1 controls and DEL (terminal escape
     * sequences, line breaks), the line and paragraph separators, and the bidirectional embedding,
     * override and isolate controls.
     */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /** Whether {@code text} holds a character {@link #isControl} escapes. */
    public static boolean hasControl(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code text} with each character {@link #isControl} escapes written as {@code \xNN} of its
     * UTF-8 bytes, and nothing else changed: for names that are read rather than decoded back, such as
     * cgroup paths, whose own backslashes (systemd's {@code \x2d}) must stay as they are.
     */
    public static String escapeControls(String text) {
        if (!hasControl(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                appendHex(out, c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A message that may quote hostile input (a parser's error), fit to print: {@link #escapeControls}
     * applied, cut to {@code maxChars} with "..." after the cut; "malformed" for null.
     */
    public static String quotable(String message, int maxChars) {
        String text = escapeControls(message == null ? "malformed" : message);
        return text.length() > maxChars ? text.substring(0, maxChars) + "..." : text;
    }

    private static void appendHex(StringBuilder out, char c) {
        for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
            out.append("\\x").append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
    }

    /**
     * Inverse of {@link #decode(byte[])}. Any text is accepted: a backslash that starts no escape
     * ({@code \xZZ}, a trailing one) stands for itself.
     */
    public static byte[] encode(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '\\') {
                    flush(run, bytes);
                    bytes.write('\\');
                    i++;
                    continue;
                }
                if (next == 'x' && i + 3 < text.length() && hex(text.charAt(i + 2)) >= 0 && hex(text.charAt(i + 3)) >= 0) {
                    flush(run, bytes);
                    bytes.write(hex(text.charAt(i + 2)) << 4 | hex(text.charAt(i + 3)));
                    i += 3;
                    continue;
                }
            }
            run.append(c);
        }
        flush(run, bytes);
        return bytes.toByteArray();
    }

    /** The value of a hex digit (either case), or -1. */
    private static int hex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static void flush(StringBuilder run, ByteArrayOutputStream bytes) {
        byte[] utf8 = run.toString().getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
        run.setLength(0);
    }

    private static boolean isPlainAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0x20 || b == 0x7f || b == '\\') { // negative: not ASCII
                return false;
            }
        }
        return true;
    }

    private static void appendEscaping(StringBuilder text, CharBuffer chars) {
        while (chars.hasRemaining()) {
            char c = chars.get();
            if (c == '\\') {
                text.append('\\');
            }
            if (isControl(c)) {
                appendHex(text, c);
            } else {
                text.append(c);
            }
        }
    }
}
