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
 * <p>A {@code comm} is up to 15 arbitrary bytes: usually UTF-8, but it may hold any byte and may be
 * cut in the middle of a multi-byte character. Valid UTF-8 is kept as is (control characters
 * included: output formats quote them). Each byte that is not part of valid UTF-8 becomes
 * {@code \xNN} (two lower-case hex digits), and a backslash becomes {@code \\}, so
 * {@link #encode(String)} restores the exact bytes.
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
            appendEscapingBackslash(text, out);
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

    /** Inverse of {@link #decode(byte[])}. */
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
                if (next == 'x' && i + 3 < text.length()) {
                    flush(run, bytes);
                    bytes.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                    i += 3;
                    continue;
                }
            }
            run.append(c);
        }
        flush(run, bytes);
        return bytes.toByteArray();
    }

    private static void flush(StringBuilder run, ByteArrayOutputStream bytes) {
        byte[] utf8 = run.toString().getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
        run.setLength(0);
    }

    private static boolean isPlainAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0 || b == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void appendEscapingBackslash(StringBuilder text, CharBuffer chars) {
        while (chars.hasRemaining()) {
            char c = chars.get();
            if (c == '\\') {
                text.append('\\');
            }
            text.append(c);
        }
    }
}
