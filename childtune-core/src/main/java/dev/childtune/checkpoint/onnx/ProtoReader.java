package dev.childtune.checkpoint.onnx;

import dev.childtune.ChildTuneException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal reader of the protobuf wire format: walks the fields of one message in order and
 * hands out their values; fields the caller does not want are skipped with {@link #skip()}.
 * Length-delimited values are returned as slices of the underlying buffer (no copy).
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * while (reader.next()) {
 *     switch (reader.field()) {
 *         case 1 -> name = reader.readString();
 *         default -> reader.skip();
 *     }
 * }
 * }</pre>
 *
 * Malformed input (truncated value, over-long varint, group or unknown wire type) raises a
 * {@link ChildTuneException} naming the source and the byte offset.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buffer;
    private final String source;
    private final long baseOffset;
    private int field;
    private int wireType;

    /**
     * @param buffer the message bytes, from its position to its limit
     * @param source the file name used in error messages
     */
    ProtoReader(ByteBuffer buffer, String source) {
        this(buffer.slice(), source, 0);
    }

    private ProtoReader(ByteBuffer slice, String source, long baseOffset) {
        this.buffer = slice;
        this.source = source;
        this.baseOffset = baseOffset;
    }

    /** Reads the next field's tag; false at the end of the message. */
    boolean next() {
        if (!buffer.hasRemaining()) {
            return false;
        }
        long tag = readVarint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field == 0) {
            throw malformed("field number 0");
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED
                && wireType != FIXED32) {
            throw malformed("unsupported wire type " + wireType + " for field " + field);
        }
        return true;
    }

    /** The field number of the current field. */
    int field() {
        return field;
    }

    /** The wire type of the current field. */
    int wireType() {
        return wireType;
    }

    /** Reads a base-128 varint (the value of a VARINT field, or a length). */
    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = take(1).get();
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    /** Reads the current FIXED32 field as a float. */
    float readFloat() {
        expect(FIXED32);
        return take(4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }

    /** Reads the current LENGTH_DELIMITED field as a slice of the buffer (position 0). */
    ByteBuffer readBytes() {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > buffer.remaining()) {
            throw malformed("length " + length + " runs past the end of the data");
        }
        return take((int) length);
    }

    /** Reads the current LENGTH_DELIMITED field as UTF-8 text. */
    String readString() {
        ByteBuffer bytes = readBytes();
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        return new String(array, StandardCharsets.UTF_8);
    }

    /** Reads the current LENGTH_DELIMITED field as an embedded message. */
    ProtoReader readMessage() {
        ByteBuffer bytes = readBytes();
        return new ProtoReader(bytes, source, baseOffset + buffer.position() - bytes.remaining());
    }

    /**
     * Reads the current field as repeated integers: either one VARINT value or a packed
     * LENGTH_DELIMITED run of varints.
     */
    long[] readVarints() {
        if (wireType == VARINT) {
            return new long[] {readVarint()};
        }
        ProtoReader packed = readMessage();
        long[] values = new long[packed.buffer.remaining()];
        int count = 0;
        while (packed.buffer.hasRemaining()) {
            values[count++] = packed.readVarint();
        }
        return Arrays.copyOf(values, count);
    }

    /** Skips the value of the current field. */
    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> take(8);
            case LENGTH_DELIMITED -> readBytes();
            case FIXED32 -> take(4);
            default -> throw new IllegalStateException("wire type " + wireType);
        }
    }

    private void expect(int expected) {
        if (wireType != expected) {
            throw malformed("field " + field + " has wire type " + wireType + ", expected " + expected);
        }
    }

    /** Consumes {@code n} bytes and returns them as a slice. */
    private ByteBuffer take(int n) {
        if (n > buffer.remaining()) {
            throw malformed("data ends in the middle of field " + field);
        }
        ByteBuffer slice = buffer.slice(buffer.position(), n);
        buffer.position(buffer.position() + n);
        return slice;
    }

    private ChildTuneException malformed(String problem) {
        return new ChildTuneException(source + ": not a valid ONNX file (" + problem + " at byte "
                + (baseOffset + buffer.position()) + ")");
    }
}
