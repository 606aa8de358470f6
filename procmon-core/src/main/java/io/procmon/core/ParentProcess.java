package io.procmon.core;

import java.util.Optional;

/**
 * What a process's parent was, as its own records said: joined by the parent's entity id
 * ({@link ProcessTable}), never by pid, which another process may hold by then.
 *
 * @param command the parent's command ({@code comm}) in its latest record
 * @param executable the parent's executable path, null when its records had none
 */
public record ParentProcess(String command, String executable) {
    public ParentProcess {
        java.util.Objects.requireNonNull(command, "command");
    }

    /** The executable path, when the parent's records had one. */
    public Optional<String> executablePath() {
        return Optional.ofNullable(executable);
    }
}
