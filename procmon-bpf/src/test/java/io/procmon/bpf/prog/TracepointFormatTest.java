package io.procmon.bpf.prog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TracepointFormatTest {
    private static final String EXIT = """
            name: sched_process_exit
            ID: 369
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
            \tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;
            \tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;
            \tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;
            """;

    @Test
    void readsFieldOffsetsAndSizes() {
        TracepointFormat f = TracepointFormat.parse("sched/sched_process_exit", EXIT);
        assertThat(f.offset("group_dead")).contains(32);
        assertThat(f.size("group_dead")).contains(1);
        assertThat(f.offset("comm")).contains(8);
        assertThat(f.size("comm")).contains(16);
        assertThat(f.offset("pid")).contains(24);
        assertThat(f.offset("missing")).isEmpty();
    }

    @Test
    void dataLocFieldsAreFound() {
        TracepointFormat f = TracepointFormat.parse("sched/sched_process_exec",
                "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n");
        assertThat(f.offset("filename")).contains(8);
    }
}
