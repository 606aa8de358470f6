package io.procmon.bpf.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A reader of BPF Type Format data, enough to find struct member offsets in the running kernel
 * ({@code /sys/kernel/btf/vmlinux}) without headers.
 *
 * <p>Members inside anonymous structs and unions are found breadth-first, their offsets added up,
 * as cilium/ebpf does; typedefs and qualifiers are seen through.
 */
public final class Btf {
    /** Where the running kernel publishes its BTF. */
    public static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    private static final int MAGIC = 0xeB9F;

    static final int KIND_INT = 1;
    static final int KIND_PTR = 2;
    static final int KIND_ARRAY = 3;
    static final int KIND_STRUCT = 4;
    static final int KIND_UNION = 5;
    static final int KIND_ENUM = 6;
    static final int KIND_FWD = 7;
    static final int KIND_TYPEDEF = 8;
    static final int KIND_VOLATILE = 9;
    static final int KIND_CONST = 10;
    static final int KIND_RESTRICT = 11;
    static final int KIND_FUNC = 12;
    static final int KIND_FUNC_PROTO = 13;
    static final int KIND_VAR = 14;
    static final int KIND_DATASEC = 15;
    static final int KIND_FLOAT = 16;
    static final int KIND_DECL_TAG = 17;
    static final int KIND_TYPE_TAG = 18;
    static final int KIND_ENUM64 = 19;

    private final ByteBuffer strings;
    /**
     * Per type id (index 0 is void), where its extra data starts; its 12-byte header (name offset,
     * info, size-or-type) is just before. One int per type: the rest is read from the data when needed.
     */
    private final int[] extraPos;
    private final ByteBuffer types;
    /** Structs looked up so far (-1: none of that name): procmon needs a handful of the kernel's thousands. */
    private final Map<String, Integer> structsByName = new HashMap<>();
    /** Typedefs and qualifiers followed, or arrays nested, at most: the kernel's chains are a few long. */
    private static final int MAX_QUALIFIERS = 64;
    /** Anonymous structs and unions looked into for one member at most: task_struct has a few dozen. */
    private static final int MAX_ANONYMOUS_WALK = 4096;

    private Btf(ByteBuffer data) {
        if (data.remaining() < 24) {
            throw new BtfException("BTF too short: " + data.remaining() + " bytes");
        }
        data.order(ByteOrder.LITTLE_ENDIAN);
        if ((data.getShort(0) & 0xffff) != MAGIC) {
            data.order(ByteOrder.BIG_ENDIAN);
            if ((data.getShort(0) & 0xffff) != MAGIC) {
                throw new BtfException("not BTF: bad magic 0x" + Integer.toHexString(data.getShort(0) & 0xffff));
            }
        }
        int hdrLen = data.getInt(4);
        int typeOff = data.getInt(8);
        int typeLen = data.getInt(12);
        int strOff = data.getInt(16);
        int strLen = data.getInt(20);
        if (hdrLen < 24 || typeOff < 0 || typeLen < 0 || strOff < 0 || strLen < 0
                || (long) hdrLen + typeOff + typeLen > data.limit() || (long) hdrLen + strOff + strLen > data.limit()) {
            throw new BtfException("BTF header points outside the data");
        }
        this.types = slice(data, hdrLen + typeOff, typeLen);
        this.strings = slice(data, hdrLen + strOff, strLen);

        // Every type takes at least its 12-byte header: an upper bound on the count, so no regrowth.
        int[] ex = new int[typeLen / 12 + 2];
        int count = 1; // id 0 is void
        int pos = 0;
        while (pos < typeLen) {
            if (pos + 12 > typeLen) {
                throw new BtfException("truncated type at byte " + pos);
            }
            int info = types.getInt(pos + 4);
            ex[count] = pos + 12;
            pos += 12 + extraSize((info >>> 24) & 0x1f, info & 0xffff, count);
            count++;
        }
        if (pos > typeLen) {
            throw new BtfException("type " + (count - 1) + " runs past the end of the type section");
        }
        this.extraPos = Arrays.copyOf(ex, count);
    }

    private int nameOff(int id) {
        return id == 0 ? 0 : types.getInt(extra(id) - 12);
    }

    private int info(int id) {
        return id == 0 ? 0 : types.getInt(extra(id) - 8);
    }

    /** Where a type's extra data starts; a type id read from the data is checked here, once for every use. */
    private int extra(int id) {
        if (id < 0 || id >= extraPos.length) {
            throw new BtfException("type id " + Integer.toUnsignedString(id) + " is not in this BTF (" + (extraPos.length - 1) + " types)");
        }
        return extraPos[id];
    }

    private int kind(int id) {
        return (info(id) >>> 24) & 0x1f;
    }

    private int sizeOrType(int id) {
        return id == 0 ? 0 : types.getInt(extra(id) - 4);
    }

    /** The first struct or union named {@code name}, or -1; names are compared as bytes, no strings made. */
    private int structId(String name) {
        return structsByName.computeIfAbsent(name, n -> {
            byte[] wanted = n.getBytes(StandardCharsets.UTF_8);
            for (int id = 1; id < extraPos.length; id++) {
                if ((kind(id) == KIND_STRUCT || kind(id) == KIND_UNION) && nameOff(id) != 0 && nameIs(nameOff(id), wanted)) {
                    return id;
                }
            }
            return -1;
        });
    }

    /** Whether the string at {@code offset} is exactly {@code wanted}. */
    private boolean nameIs(int offset, byte[] wanted) {
        if (offset < 0 || (long) offset + wanted.length >= strings.limit()) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (strings.get(offset + i) != wanted[i]) {
                return false;
            }
        }
        return strings.get(offset + wanted.length) == 0;
    }

    private static ByteBuffer slice(ByteBuffer data, int from, int length) {
        return data.duplicate().position(from).limit(from + length).slice().order(data.order());
    }

    private static int extraSize(int kind, int vlen, int id) {
        switch (kind) {
            case KIND_INT:
            case KIND_VAR:
            case KIND_DECL_TAG:
                return 4;
            case KIND_ARRAY:
                return 12;
            case KIND_STRUCT:
            case KIND_UNION:
            case KIND_DATASEC:
            case KIND_ENUM64:
                return 12 * vlen;
            case KIND_ENUM:
            case KIND_FUNC_PROTO:
                return 8 * vlen;
            case KIND_PTR:
            case KIND_FWD:
            case KIND_TYPEDEF:
            case KIND_VOLATILE:
            case KIND_CONST:
            case KIND_RESTRICT:
            case KIND_FUNC:
            case KIND_FLOAT:
            case KIND_TYPE_TAG:
                return 0;
            default:
                throw new BtfException("type " + id + " has unknown kind " + kind);
        }
    }

    /** Parses BTF from bytes. */
    public static Btf parse(byte[] bytes) {
        return new Btf(ByteBuffer.wrap(bytes));
    }

    /**
     * Parses the BTF held in {@code data}, from its position to its limit, without copying it: the
     * Btf reads the buffer for as long as it is used (a mapped file must stay mapped until then).
     */
    public static Btf of(ByteBuffer data) {
        return new Btf(data.slice());
    }

    /**
     * Reads and parses a BTF file. The bytes (6 MB for a kernel) are held outside the Java heap, so
     * that reading them once at start-up does not grow the heap for the rest of a monitor's life.
     */
    public static Btf load(Path file) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            long size = channel.size();
            if (size <= 0 || size > Integer.MAX_VALUE) {
                return parse(Files.readAllBytes(file)); // a size the file system does not know
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) size);
            while (data.hasRemaining() && channel.read(data) >= 0) {
                // sysfs hands out a binary attribute in pieces
            }
            if (data.hasRemaining()) {
                throw new BtfException(file + ": " + data.remaining() + " bytes short of its size " + size);
            }
            return new Btf(data.flip());
        }
    }

    /** The running kernel's BTF. */
    public static Btf kernel() throws IOException {
        return load(KERNEL_BTF);
    }

    /** Number of types, void included. */
    public int typeCount() {
        return extraPos.length;
    }

    /** Whether a struct or union of that name exists. */
    public boolean hasStruct(String name) {
        return structId(name) >= 0;
    }

    /**
     * Offset and size of member {@code member} of struct {@code struct}, looking through anonymous
     * struct/union members.
     *
     * @throws BtfException when the struct or member does not exist, or the member is a bit field
     */
    public Member member(String struct, String member) {
        int id = structId(struct);
        byte[] wanted = member.getBytes(StandardCharsets.UTF_8);
        if (id < 0) {
            throw new BtfException("kernel BTF has no struct " + struct);
        }
        Deque<long[]> queue = new ArrayDeque<>(); // {type id, byte offset of that type}
        queue.add(new long[] {id, 0});
        int walked = 0;
        while (!queue.isEmpty()) {
            if (++walked > MAX_ANONYMOUS_WALK) {
                throw new BtfException("struct " + struct + ": anonymous members nest beyond " + MAX_ANONYMOUS_WALK + " (a cycle?)");
            }
            long[] next = queue.poll();
            int type = (int) next[0];
            long base = next[1];
            boolean kindFlag = (info(type) >>> 31) != 0;
            int vlen = info(type) & 0xffff;
            for (int i = 0; i < vlen; i++) {
                int at = extra(type) + 12 * i;
                int mName = types.getInt(at);
                int mType = types.getInt(at + 4);
                int mOffset = types.getInt(at + 8);
                long bitOffset = kindFlag ? mOffset & 0xffffff : Integer.toUnsignedLong(mOffset);
                int bitSize = kindFlag ? mOffset >>> 24 : 0;
                if (mName == 0) {
                    int inner = resolve(mType);
                    if (kind(inner) == KIND_STRUCT || kind(inner) == KIND_UNION) {
                        queue.add(new long[] {inner, base + bitOffset / 8});
                    }
                    continue;
                }
                if (!nameIs(mName, wanted)) {
                    continue;
                }
                if (bitSize != 0 || bitOffset % 8 != 0) {
                    throw new BtfException(struct + "." + member + " is a bit field; procmon reads whole bytes");
                }
                long offset = base + bitOffset / 8;
                if (offset > Integer.MAX_VALUE) {
                    throw new BtfException(struct + "." + member + " lies beyond 2 GiB into its struct");
                }
                return new Member((int) offset, sizeOf(mType, 0));
            }
        }
        throw new BtfException("kernel BTF: struct " + struct + " has no member " + member);
    }

    /** The value of an enumerator ({@code memory_cgrp_id}), if some enum of this BTF has it. */
    public java.util.OptionalLong enumValue(String enumerator) {
        byte[] wanted = enumerator.getBytes(StandardCharsets.UTF_8);
        for (int id = 1; id < extraPos.length; id++) {
            if (kind(id) != KIND_ENUM) {
                continue;
            }
            int vlen = info(id) & 0xffff;
            for (int i = 0; i < vlen; i++) {
                int at = extra(id) + 8 * i;
                if (nameIs(types.getInt(at), wanted)) {
                    return java.util.OptionalLong.of(types.getInt(at + 4));
                }
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** Byte offset of {@code struct.member}; see {@link #member}. */
    public int offsetOf(String struct, String member) {
        return member(struct, member).offset();
    }

    /** Skips typedefs and qualifiers. */
    private int resolve(int type) {
        int t = type;
        for (int guard = 0; guard < MAX_QUALIFIERS; guard++) {
            switch (kind(t)) {
                case KIND_TYPEDEF:
                case KIND_VOLATILE:
                case KIND_CONST:
                case KIND_RESTRICT:
                case KIND_TYPE_TAG:
                    t = sizeOrType(t);
                    break;
                default:
                    return t;
            }
        }
        throw new BtfException("type " + type + ": qualifier chain too long");
    }

    private int sizeOf(int type, int depth) {
        if (depth > MAX_QUALIFIERS) {
            throw new BtfException("type " + type + ": arrays nest too deep");
        }
        int t = resolve(type);
        switch (kind(t)) {
            case KIND_INT:
            case KIND_STRUCT:
            case KIND_UNION:
            case KIND_ENUM:
            case KIND_ENUM64:
            case KIND_FLOAT:
                return sizeOrType(t);
            case KIND_PTR:
                return 8;
            case KIND_ARRAY:
                int elem = types.getInt(extra(t));
                long size = (long) sizeOf(elem, depth + 1) * Integer.toUnsignedLong(types.getInt(extra(t) + 8));
                if (size > Integer.MAX_VALUE) {
                    throw new BtfException("type " + type + ": an array of more than 2 GiB");
                }
                return (int) size;
            default:
                throw new BtfException("type " + type + " (kind " + kind(t) + ") has no size");
        }
    }
}
