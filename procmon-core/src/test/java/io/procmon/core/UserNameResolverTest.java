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

    private static String id(String... args) throws Exception {
        Process p = new ProcessBuilder(args).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    @Test
    void nssNamesUsersAndFindsUidsAsIdDoes() throws Exception {
        NssUserNameResolver nss = new NssUserNameResolver();
        assertThat(nss.lookup(0)).contains(id("id", "-nu", "0"));
        assertThat(nss.lookup(65534)).contains(id("id", "-nu", "65534"));
        assertThat(nss.lookup(2_000_000_123)).isEmpty();
        assertThat(nss.nameOf(2_000_000_123)).isEqualTo("2000000123");
        String nobody = id("id", "-nu", "65534");
        assertThat(NssUserNameResolver.uidOf(nobody)).hasValue(Integer.parseInt(id("id", "-u", nobody)));
        assertThat(NssUserNameResolver.uidOf("no-such-user-procmon")).isEmpty();
        assertThat(NssUserNameResolver.uidOf("")).isEmpty();
        assertThat(NssUserNameResolver.uidOf("root\0x")).isEmpty();
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
