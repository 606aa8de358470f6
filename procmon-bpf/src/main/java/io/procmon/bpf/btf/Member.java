package io.procmon.bpf.btf;

/**
 * Where a struct member lives.
 *
 * @param offset byte offset from the start of the outermost struct
 * @param size size in bytes of the member's type
 */
public record Member(int offset, int size) {
}
