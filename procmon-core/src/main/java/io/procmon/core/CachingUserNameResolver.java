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

    @Override
    public Optional<String> lookup(int uid) {
        return cache.computeIfAbsent(uid, delegate::lookup);
    }
}
