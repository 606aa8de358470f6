package io.procmon.examples;

import io.procmon.csv.Column;
import java.util.List;
import java.util.Locale;

/**
 * {@code --format} and {@code --columns}, as {@code procmon} and {@code procmon collect} both take
 * them: validated here, once, in one wording.
 *
 * @param columns the CSV columns; meaningless for JSON Lines
 */
record OutputFormat(boolean jsonl, List<Column> columns) {

    /**
     * @param columns the --columns text, or null for {@code defaults}
     * @throws IllegalArgumentException with a one-line message for the user
     */
    static OutputFormat parse(String format, String columns, List<Column> defaults) {
        boolean jsonl = switch (format.toLowerCase(Locale.ROOT)) {
            case "csv" -> false;
            case "jsonl" -> true;
            default -> throw new IllegalArgumentException("--format must be csv or jsonl, got '" + format + "'");
        };
        if (jsonl && columns != null) {
            throw new IllegalArgumentException("--columns applies to --format csv only");
        }
        return new OutputFormat(jsonl, columns == null ? defaults : Column.parseList(columns));
    }
}
