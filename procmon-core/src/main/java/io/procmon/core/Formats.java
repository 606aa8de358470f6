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
        long hundredths = (nanos + 5_000) / 10_000;
        long whole = hundredths / 100;
        int frac = (int) (hundredths % 100);
        return whole + (frac < 10 ? ".0" : ".") + frac;
    }
}
