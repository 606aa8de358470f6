/** procmon's event model, source and sink API, and the monitor that dispatches between them. */
module io.procmon.core {
    requires com.sun.jna;
    requires org.slf4j;

    exports io.procmon.core;

    // JNA proxies the name service's raw interface, which is not API.
    opens io.procmon.core to com.sun.jna;
}
