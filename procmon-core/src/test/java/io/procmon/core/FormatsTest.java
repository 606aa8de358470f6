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

}
