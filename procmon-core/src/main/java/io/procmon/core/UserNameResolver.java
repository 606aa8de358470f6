package io.procmon.core;

import java.util.Optional;

/** Maps a numeric user id to a user name. */
@FunctionalInterface
public interface UserNameResolver {

    /** The name of {@code uid}, or empty when the system has no such user. */
    Optional<String> lookup(int uid);

    /** The name, or the decimal uid when there is none (as {@code ps} does). */
    default String nameOf(int uid) {
        return lookup(uid).orElseGet(() -> Integer.toUnsignedString(uid));
    }

    /** The system's resolver: the name service (NSS) through the C library, cached; see {@link NssUserNameResolver}. */
    static UserNameResolver system() {
        return new CachingUserNameResolver(new NssUserNameResolver());
    }
}
