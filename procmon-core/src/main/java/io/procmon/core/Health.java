package io.procmon.core;

/**
 * Whether a {@link Monitor} is doing its job: attached, its source reading, its dispatcher and
 * every sink alive.
 *
 * @param healthy true when all of them are
 * @param reason "ok", or one line saying what is wrong (the first problem found)
 */
public record Health(boolean healthy, String reason) {
    static final Health OK = new Health(true, "ok");

    static Health problem(String reason) {
        return new Health(false, reason);
    }
}
