package io.procmon.examples;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Whether standard error is a terminal (System.console() only looks at stdin and stdout). */
final class Terminal {
    private interface CLib extends Library {
        int isatty(int fd);
    }

    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        try {
            return Native.load("c", CLib.class).isatty(2) == 1;
        } catch (LinkageError e) {
            return false;
        }
    }
}
