package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NssUserNameResolverTest {
    private static String id(String... args) throws Exception {
        Process p = new ProcessBuilder(args).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    @Test
    void namesUsersAsIdDoes() throws Exception {
        NssUserNameResolver nss = new NssUserNameResolver();
        assertThat(nss.lookup(0)).contains(id("id", "-nu", "0"));
        assertThat(nss.lookup(65534)).contains(id("id", "-nu", "65534"));
        assertThat(nss.lookup(2_000_000_123)).isEmpty();
        assertThat(nss.nameOf(2_000_000_123)).isEqualTo("2000000123");
    }
}
