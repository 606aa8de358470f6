package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserNameResolverTest {

    @Test
    void cacheAsksOncePerUidIncludingUnknownOnes() {
        UserNameResolver delegate = mock(UserNameResolver.class);
        when(delegate.lookup(0)).thenReturn(Optional.of("root"));
        when(delegate.lookup(777)).thenReturn(Optional.empty());
        UserNameResolver cached = new CachingUserNameResolver(delegate);

        for (int i = 0; i < 3; i++) {
            assertThat(cached.nameOf(0)).isEqualTo("root");
            assertThat(cached.nameOf(777)).isEqualTo("777");
            assertThat(cached.nameOf(777)).isEqualTo("777"); // the same uid again: the last answer
        }
        verify(delegate, times(1)).lookup(0);
        verify(delegate, times(1)).lookup(777);
    }

    @Test
    void passwdLineParsing() {
        assertThat(GetentUserNameResolver.parsePasswdLine("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", 1))
                .contains("daemon");
        assertThat(GetentUserNameResolver.parsePasswdLine("other:x:2:2::/:/bin/sh\n", 1)).isEmpty();
        assertThat(GetentUserNameResolver.parsePasswdLine("", 1)).isEmpty();
    }

    @Test
    void systemResolverUsesTheNameServiceLikeId() throws Exception {
        Process id = new ProcessBuilder("id", "-nu", "0").start();
        String expected = new String(id.getInputStream().readAllBytes()).trim();
        id.waitFor();

        assertThat(UserNameResolver.system().nameOf(0)).isEqualTo(expected);
        assertThat(UserNameResolver.system().nameOf(2_000_000_123)).isEqualTo("2000000123");
    }
}
