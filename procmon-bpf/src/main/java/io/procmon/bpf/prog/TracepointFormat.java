package io.procmon.bpf.prog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Field offsets of a tracepoint's context, read from tracefs ({@code events/CATEGORY/NAME/format}). */
public final class TracepointFormat {
    private static final Pattern FIELD = Pattern.compile(
            "field:(?<decl>[^;]*?)\\s*(?<name>\\w+)(?:\\[\\d*])?;\\s*offset:(?<offset>\\d+);\\s*size:(?<size>\\d+);");

    private final String tracepoint;
    private final Map<String, int[]> fields;

    private TracepointFormat(String tracepoint, Map<String, int[]> fields) {
        this.tracepoint = tracepoint;
        this.fields = fields;
    }

    /** Parses the text of a {@code format} file. */
    public static TracepointFormat parse(String tracepoint, String format) {
        Map<String, int[]> fields = new HashMap<>();
        Matcher m = FIELD.matcher(format);
        while (m.find()) {
            fields.put(m.group("name"), new int[] {Integer.parseInt(m.group("offset")), Integer.parseInt(m.group("size"))});
        }
        return new TracepointFormat(tracepoint, fields);
    }

    /** Reads {@code tracefs/events/category/name/format}. */
    public static TracepointFormat read(Path tracefs, String category, String name) throws IOException {
        return parse(category + "/" + name, Files.readString(tracefs.resolve("events").resolve(category).resolve(name).resolve("format")));
    }

    /** Offset of {@code field} in the context, if the tracepoint has it. */
    public Optional<Integer> offset(String field) {
        int[] f = fields.get(field);
        return f == null ? Optional.empty() : Optional.of(f[0]);
    }

    /** Size of {@code field} in bytes, if the tracepoint has it. */
    public Optional<Integer> size(String field) {
        int[] f = fields.get(field);
        return f == null ? Optional.empty() : Optional.of(f[1]);
    }

    public String tracepoint() {
        return tracepoint;
    }
}
