package io.procmon.bpf.prog;

import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.btf.BtfException;
import java.util.OptionalInt;

/**
 * What the exec program reads to say who a process is ({@link EventLayout.Identity}), from BTF.
 *
 * @param taskRealCred offset of {@code task_struct.real_cred} (the objective credentials, as
 *     {@code /proc/PID/status} shows them)
 * @param credEuid offset of {@code cred.euid}
 * @param taskLoginUid offset of {@code task_struct.loginuid}, absent on kernels built without
 *     audit ({@code CONFIG_AUDIT}); {@code sessionid} follows it there, read together
 * @param signalTty offset of {@code signal_struct.tty} (the controlling terminal, or NULL)
 * @param ttyName offset of {@code tty_struct.name}
 */
public record IdentityOffsets(int taskRealCred, int credEuid, OptionalInt taskLoginUid, int signalTty, int ttyName) {

    /** @throws BtfException naming what is missing or laid out otherwise than procmon reads it */
    public static IdentityOffsets from(Btf btf) {
        return new IdentityOffsets(
                KernelOffsets.sized(btf, "task_struct", "real_cred", 8),
                KernelOffsets.sized(btf, "cred", "euid", 4),
                loginUid(btf),
                KernelOffsets.sized(btf, "signal_struct", "tty", 8),
                KernelOffsets.addressable(btf, "tty_struct", "name"));
    }

    private static OptionalInt loginUid(Btf btf) {
        int loginUid;
        try {
            loginUid = KernelOffsets.sized(btf, "task_struct", "loginuid", 4);
        } catch (BtfException e) {
            return OptionalInt.empty(); // a kernel without audit: no login to record
        }
        if (KernelOffsets.sized(btf, "task_struct", "sessionid", 4) != loginUid + 4) {
            throw new BtfException("task_struct.sessionid does not follow loginuid; procmon reads them together");
        }
        return OptionalInt.of(loginUid);
    }
}
