package io.procmon.bpf.btf;

/** BTF data is malformed, or lacks a type or member the programs need. */
public class BtfException extends RuntimeException {
    public BtfException(String message) {
        super(message);
    }
}
