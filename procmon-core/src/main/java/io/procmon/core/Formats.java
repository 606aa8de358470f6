package io.procmon.core;

/** Text forms shared by the output formats. */
public final class Formats {
    private Formats() {
    }

    /**
     * Nanoseconds as milliseconds with two decimals, rounded half up, always with a dot: the
     * locale-independent and allocation-light equivalent of {@code String.format(Locale.ROOT, "%.2f")}.
     */
    public static String millis(long nanos) {
        return appendMillis(new StringBuilder(12), nanos).toString();
    }

    /** Appends {@link #millis} to {@code out}, with no string in between. */
    public static StringBuilder appendMillis(StringBuilder out, long nanos) {
        long hundredths = (nanos + 5_000) / 10_000;
        int frac = (int) (hundredths % 100);
        return out.append(hundredths / 100).append(frac < 10 ? ".0" : ".").append(frac);
    }

    private static final java.time.format.DateTimeFormatter ISO_MICROS =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", java.util.Locale.ROOT)
                    .withZone(java.time.ZoneOffset.UTC);

    /** ISO 8601 in UTC with microseconds: {@code 2026-11-26T13:04:05.123456Z}. */
    public static String isoMicros(java.time.Instant instant) {
        return ISO_MICROS.format(instant);
    }
}
