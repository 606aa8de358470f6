package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parsing of what /proc says of a process: any user chooses its name. */
class ProcInventoryTest {

    @Test
    void statStartTimeIsFoundAfterACommandWithParenthesesAndSpaces() {
        String stat = "1234 (a) b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100 18446744073709551615";
        ProcInventory.Stat s = ProcInventory.parseStat(stat.getBytes(StandardCharsets.US_ASCII));
        assertThat(s.startTicks()).isEqualTo(98765);
        assertThat(new String(s.comm(), StandardCharsets.US_ASCII)).isEqualTo("a) b) c");
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.flags()).isEqualTo(4194560);
    }

    @Test
    void whatIsNotAStatLineIsNothing() {
        for (String bad : new String[] {"", "1234 (x", "1234 (x) S 1", "1234 (x) S one 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 5"}) {
            assertThat(ProcInventory.parseStat(bad.getBytes(StandardCharsets.US_ASCII))).as(bad).isNull();
        }
    }

    @Test
    void terminalsAreNamedAsDevNamesThem() {
        assertThat(ProcInventory.ttyName(0)).isNull();
        assertThat(ProcInventory.ttyName((136 << 8) | 3)).isEqualTo("pts/3");
        assertThat(ProcInventory.ttyName((137 << 8) | 1)).isEqualTo("pts/257");
        assertThat(ProcInventory.ttyName((4 << 8) | 1)).isEqualTo("tty1");
        assertThat(ProcInventory.ttyName((4 << 8) | 64)).isEqualTo("ttyS0");
    }
}
