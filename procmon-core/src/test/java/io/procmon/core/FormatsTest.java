package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class FormatsTest {
    @Test
    void durationHasTwoDecimalsAndADotUnderAnyLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Formats.millis(1_520_340_000L)).isEqualTo("1520.34");
            assertThat(Formats.millis(0)).isEqualTo("0.00");
            assertThat(Formats.millis(4_999)).isEqualTo("0.00");
            assertThat(Formats.millis(5_000)).isEqualTo("0.01");
            assertThat(Formats.millis(1_005_000)).isEqualTo("1.01");
            assertThat(Formats.millis(99_994_999)).isEqualTo("99.99");
            assertThat(Formats.millis(99_995_000)).isEqualTo("100.00");
            assertThat(Formats.millis(123_456_789_012_345L)).isEqualTo("123456789.01");
        } finally {
            Locale.setDefault(saved);
        }
    }


    @org.junit.jupiter.api.Test
    void isoMicrosIsTheFormattersTextForEveryInstant() {
        java.time.format.DateTimeFormatter formatter = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(35);
        java.util.List<java.time.Instant> instants = new java.util.ArrayList<>(java.util.List.of(java.time.Instant.EPOCH,
                java.time.Instant.ofEpochSecond(951_782_400L), // 2000-02-29
                java.time.Instant.ofEpochSecond(253_402_300_799L, 999_999_999), // 9999-12-31T23:59:59.999999
                java.time.Instant.ofEpochSecond(253_402_300_800L), // 10000-01-01: the formatter's "+10000"
                java.time.Instant.ofEpochSecond(-1, 500)));
        for (int i = 0; i < 200_000; i++) {
            instants.add(java.time.Instant.ofEpochSecond(random.nextLong(-100_000_000_000L, 300_000_000_000L), random.nextInt(1_000_000_000)));
        }
        for (java.time.Instant instant : instants) {
            org.assertj.core.api.Assertions.assertThat(Formats.isoMicros(instant)).as("%s", instant).isEqualTo(formatter.format(instant));
        }
    }
}
