package io.procmon.bpf.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls procmon needs. Package-private. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int close(int fd);

    int mount(String source, String target, String filesystemtype, long mountflags, Pointer data);

    String strerror(int errnum);

    int clock_gettime(int clockId, Pointer timespec);

    int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, com.sun.jna.ptr.PointerByReference result);
}
