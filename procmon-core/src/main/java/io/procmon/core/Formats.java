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

    /** 10000-01-01T00:00:00Z: from here on a year has more than four digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    /**
     * ISO 8601 in UTC with microseconds: {@code 2026-11-26T13:04:05.123456Z}. Written digit by digit
     * for the years 1970 to 9999 (two times in every exit row of a fleet, where the formatter was a
     * tenth of a collector's time); other instants go through the formatter, whose text this equals.
     */
    public static String isoMicros(java.time.Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return ISO_MICROS.format(instant);
        }
        // Days to a civil date (H. Hinnant's days_from_civil, inverted), in the proleptic Gregorian calendar.
        long z = seconds / 86_400 + 719_468;
        int secondOfDay = (int) (seconds % 86_400);
        long era = z / 146_097;
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        int month = (int) (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        char[] c = "0000-00-00T00:00:00.000000Z".toCharArray();
        digits(c, 0, 4, year);
        digits(c, 5, 2, month);
        digits(c, 8, 2, day);
        digits(c, 11, 2, secondOfDay / 3_600);
        digits(c, 14, 2, secondOfDay / 60 % 60);
        digits(c, 17, 2, secondOfDay % 60);
        digits(c, 20, 6, instant.getNano() / 1_000);
        return new String(c);
    }

    private static void digits(char[] into, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
