package dev.childtune.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for protocols 2 to 5 that only builds data: it never imports or calls anything.
 * It implements just the opcodes a {@code torch.save} state dict uses. A global is accepted only if
 * it is on the caller's allow-list, and even then it stays an inert {@link Global} value;
 * {@code REDUCE} and {@code BINPERSID} are handed to a {@link Handler} that decides what an allowed
 * call or persistent id means.
 *
 * <p>Values: {@code str} as {@link String}, {@code int} as {@link Long}, {@code float} as
 * {@link Double}, {@code bool} as {@link Boolean}, {@code None} as null, {@code tuple} as
 * {@link Tuple}, {@code list} as {@link ArrayList}, {@code dict} as {@link LinkedHashMap}.
 */
final class RestrictedUnpickler {

    /** A module-level name referenced by the pickle, e.g. {@code torch._utils._rebuild_tensor_v2}. */
    record Global(String module, String name) {
        String qualifiedName() {
            return module + "." + name;
        }
    }

    /** A Python tuple (immutable; items may be null). */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }
    }

    /** Gives meaning to the two operations that reach outside plain data. */
    interface Handler {
        /** The object for a {@code BINPERSID} persistent id. */
        Object persistentLoad(Object pid);

        /** The result of calling an allowed global with {@code args} ({@code REDUCE}). */
        Object call(Global callable, List<Object> args);
    }

    private static final int HIGHEST_PROTOCOL = 5;
    private static final int MAX_GLOBAL_LINE = 256;

    private final Object file;
    private final String entry;
    private final ByteBuffer in;
    private final Set<String> allowedGlobals;
    private final Handler handler;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodeOffset;

    /**
     * @param file the file the pickle came from, for error messages
     * @param entry the pickle's name inside that file (e.g. {@code archive/data.pkl}), for error messages
     * @param pickle the pickle bytes
     * @param allowedGlobals qualified names ({@code module.name}) that GLOBAL may reference
     */
    RestrictedUnpickler(Object file, String entry, byte[] pickle, Set<String> allowedGlobals, Handler handler) {
        this.file = file;
        this.entry = entry;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.allowedGlobals = allowedGlobals;
        this.handler = handler;
    }

    /** Runs the pickle up to STOP and returns the object it built. */
    Object load() {
        while (true) {
            opcodeOffset = in.position();
            int opcode = u8();
            switch (opcode) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > HIGHEST_PROTOCOL) {
                        throw malformed("pickle protocol " + protocol + " is not supported; expected 2 to 5");
                    }
                }
                case 0x95 -> bytes(8); // FRAME: the frame length only helps buffered readers
                case '.' -> { // STOP
                    return pop();
                }
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case '(' -> marks.push(stack.size()); // MARK
                case 't' -> push(new Tuple(popToMark())); // TUPLE
                case 0x85, 0x86, 0x87 -> push(new Tuple(popN(opcode - 0x84))); // TUPLE1, TUPLE2, TUPLE3
                case '0' -> popOrDropMark(); // POP
                case '1' -> popToMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case 'X' -> push(utf8(length(u32()))); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(length(need(8).getLong()))); // BINUNICODE8
                case 'J' -> push((long) need(4).getInt()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (need(2).getShort() & 0xFFFF)); // BININT2
                case 0x8a -> push(long1(u8())); // LONG1
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(null); // NONE
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).getDouble()); // BINFLOAT (big-endian)
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = expect(pop(), String.class, "a global's name");
                    push(global(expect(pop(), String.class, "a global's module"), name));
                }
                case 'R' -> { // REDUCE
                    Tuple args = expect(pop(), Tuple.class, "an argument tuple");
                    push(handler.call(expect(pop(), Global.class, "a callable"), args.items()));
                }
                case 'Q' -> push(handler.persistentLoad(pop())); // BINPERSID
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = hashable(pop());
                    dict(peek()).put(key, value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popToMark();
                    if (items.size() % 2 != 0) {
                        throw malformed("SETITEMS with an odd number of items");
                    }
                    Map<Object, Object> dict = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) {
                        dict.put(hashable(items.get(i)), items.get(i + 1));
                    }
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popToMark();
                    list(peek()).addAll(items);
                }
                case 'b' -> build(pop(), peek()); // BUILD
                default -> throw malformed(String.format("unsupported pickle opcode 0x%02x%s",
                        opcode, opcode >= 0x20 && opcode < 0x7f ? " ('" + (char) opcode + "')" : ""));
            }
        }
    }

    private Global global(String module, String name) {
        Global global = new Global(module, name);
        if (!allowedGlobals.contains(global.qualifiedName())) {
            throw CheckpointErrors.inFile(file, "refusing to load global " + show(global.qualifiedName())
                    + " from " + entry + ": only tensor state dicts are accepted");
        }
        return global;
    }

    /**
     * A dict key as Python allows it: a scalar or a tuple of scalars. Anything else (a list or dict
     * is unhashable in Python) is refused, which also keeps a self-containing container from being
     * hashed into a stack overflow.
     */
    private Object hashable(Object key) {
        boolean ok = isScalar(key)
                || (key instanceof Tuple tuple && tuple.items().stream().allMatch(RestrictedUnpickler::isScalar));
        if (!ok) {
            throw malformed("dict key " + show(key) + " is not supported; expected a string, a number or a tuple of them");
        }
        return key;
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof Double
                || value instanceof Boolean;
    }

    /** BUILD sets an object's state; only the empty state (e.g. of an OrderedDict) is accepted. */
    private void build(Object state, Object target) {
        boolean empty = state == null
                || (state instanceof Map<?, ?> map && map.isEmpty())
                || (state instanceof Tuple tuple && tuple.items().isEmpty());
        if (!empty) {
            throw malformed("BUILD with a non-empty state for " + describe(target) + " is not supported");
        }
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw malformed("memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    private long long1(int length) {
        if (length > 8) {
            throw malformed("integer of " + length + " bytes does not fit in 64 bits");
        }
        byte[] b = bytes(length);
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (b[i] & 0xFF);
        }
        int unused = 64 - 8 * length;
        return (value << unused) >> unused; // sign-extend (a shift by 64 is a shift by 0: LONG1 of length 0 is 0)
    }

    private String line() {
        StringBuilder text = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return text.toString();
            }
            if (text.length() == MAX_GLOBAL_LINE) {
                throw malformed("GLOBAL name longer than " + MAX_GLOBAL_LINE + " characters");
            }
            text.append((char) c);
        }
    }

    private String utf8(int length) {
        return new String(bytes(length), StandardCharsets.UTF_8);
    }

    /** A length read from the pickle, checked against the bytes left. */
    private int length(long length) {
        if (length < 0 || length > in.remaining()) {
            throw truncated();
        }
        return (int) length;
    }

    /** The input, after checking that {@code count} more bytes are there. */
    private ByteBuffer need(int count) {
        if (in.remaining() < count) {
            throw truncated();
        }
        return in;
    }

    private int u8() {
        return need(1).get() & 0xFF;
    }

    private long u32() {
        return need(4).getInt() & 0xFFFFFFFFL;
    }

    private byte[] bytes(int length) {
        byte[] out = new byte[length];
        need(length).get(out);
        return out;
    }

    private void push(Object value) {
        stack.add(value);
    }

    /**
     * The stack below the innermost MARK: Python keeps it aside (its "metastack"), so no opcode may
     * reach it until the MARK is consumed.
     */
    private int floor() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private Object peek() {
        if (stack.size() <= floor()) {
            throw malformed("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object value = peek();
        stack.remove(stack.size() - 1);
        return value;
    }

    /** POP: like Python, drops the innermost MARK instead when nothing lies above it. */
    private void popOrDropMark() {
        if (stack.size() == floor() && !marks.isEmpty()) {
            marks.pop();
        } else {
            pop();
        }
    }

    private List<Object> popN(int count) {
        if (stack.size() - floor() < count) {
            throw malformed("stack underflow");
        }
        List<Object> top = stack.subList(stack.size() - count, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw malformed("no MARK on the stack");
        }
        int mark = marks.pop();
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target) {
        if (!(target instanceof LinkedHashMap<?, ?>)) {
            throw malformed("expected a dict to set items on, got " + describe(target));
        }
        return (Map<Object, Object>) target;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) {
        if (!(target instanceof ArrayList<?>)) {
            throw malformed("expected a list to append to, got " + describe(target));
        }
        return (List<Object>) target;
    }

    private <T> T expect(Object value, Class<T> type, String what) {
        if (!type.isInstance(value)) {
            throw malformed("expected " + what + ", got " + describe(value));
        }
        return type.cast(value);
    }

    private static final int SHOW_CHARS = 80;
    private static final int SHOW_ITEMS = 4;
    private static final int SHOW_DEPTH = 3;

    /**
     * An unpickled value, for error messages, Python-like and short: strings cut at
     * {@value #SHOW_CHARS} characters, containers at {@value #SHOW_ITEMS} items and
     * {@value #SHOW_DEPTH} levels, so that huge, deeply nested or self-containing values print safely.
     */
    static String show(Object value) {
        StringBuilder out = new StringBuilder();
        show(value, SHOW_DEPTH, out);
        return out.toString();
    }

    private static void show(Object value, int depth, StringBuilder out) {
        if (value == null) {
            out.append("None");
        } else if (value instanceof String text) {
            String cut = text.length() > SHOW_CHARS ? text.substring(0, SHOW_CHARS) + "..." : text;
            out.append('\'').append(cut.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")).append('\'');
        } else if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            out.append(value instanceof Boolean b ? (b ? "True" : "False") : value.toString());
        } else if (value instanceof Global global) {
            show(global.qualifiedName(), depth, out);
        } else if (value instanceof Tuple tuple) {
            items(tuple.items(), "(", ")", depth, out);
        } else if (value instanceof List<?> list) {
            items(list, "[", "]", depth, out);
        } else if (value instanceof Map<?, ?> map) {
            if (depth == 0 && !map.isEmpty()) {
                out.append("{...}");
                return;
            }
            out.append('{');
            int shown = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (shown == SHOW_ITEMS) {
                    out.append(", ...");
                    break;
                }
                out.append(shown++ == 0 ? "" : ", ");
                show(entry.getKey(), depth - 1, out);
                out.append(": ");
                show(entry.getValue(), depth - 1, out);
            }
            out.append('}');
        } else {
            out.append(value); // TensorData, storages: short by construction
        }
    }

    private static void items(List<?> items, String open, String close, int depth, StringBuilder out) {
        if (depth == 0 && !items.isEmpty()) {
            out.append(open).append("...").append(close);
            return;
        }
        out.append(open);
        for (int i = 0; i < items.size(); i++) {
            if (i == SHOW_ITEMS) {
                out.append(", ...");
                break;
            }
            out.append(i == 0 ? "" : ", ");
            show(items.get(i), depth - 1, out);
        }
        out.append(close);
    }

    /** The Java type of an unpickled value, for error messages. */
    static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    private RuntimeException truncated() {
        return CheckpointErrors.inFile(file, entry + " ends unexpectedly inside the opcode at offset "
                + opcodeOffset + "; the pickle is truncated");
    }

    private RuntimeException malformed(String problem) {
        return CheckpointErrors.inFile(file, problem + " at offset " + opcodeOffset + " of " + entry);
    }
}
