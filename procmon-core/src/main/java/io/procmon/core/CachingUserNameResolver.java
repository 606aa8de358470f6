package io.procmon.core;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Remembers every answer, including "no such user", of the resolver it wraps. */
public final class CachingUserNameResolver implements UserNameResolver {
    private final UserNameResolver delegate;
    private final ConcurrentHashMap<Integer, Optional<String>> cache = new ConcurrentHashMap<>();

    public CachingUserNameResolver(UserNameResolver delegate) {
        this.delegate = delegate;
    }

    /** The last name handed out: a storm of one user's processes costs no boxing and no map lookup. */
    private volatile Named last;

    @Override
    public Optional<String> lookup(int uid) {
        Optional<String> known = cache.get(uid);
        return known != null ? known : cache.computeIfAbsent(uid, delegate::lookup);
    }

    @Override
    public String nameOf(int uid) {
        Named named = last;
        if (named == null || named.uid != uid) {
            named = new Named(uid, UserNameResolver.super.nameOf(uid));
            last = named;
        }
        return named.name;
    }

    private record Named(int uid, String name) {
    }
}
