package io.procmon.bpf.testing;

/** The running kernel's release, for tests whose expectation depends on it. */
public final class KernelRelease {
    private KernelRelease() {
    }

    /** Whether the running kernel is {@code major.minor} or newer ({@code os.version}: "6.18.44-..."). */
    public static boolean atLeast(int major, int minor) {
        String[] release = System.getProperty("os.version").split("[.-]");
        int runningMajor = Integer.parseInt(release[0]);
        int runningMinor = Integer.parseInt(release[1]);
        return runningMajor > major || runningMajor == major && runningMinor >= minor;
    }
}
