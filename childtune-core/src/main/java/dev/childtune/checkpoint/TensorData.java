package dev.childtune.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor as it sits in a checkpoint file, on the Java side (before it reaches the engine):
 * element type, shape and the raw little-endian bytes. Reduced-precision floats are widened to
 * float32 here, in Java, so that bfloat16 never reaches DJL.
 *
 * @param dtype element type
 * @param shape dimensions (empty for a scalar)
 * @param data raw little-endian bytes, position 0, exactly {@code numel * dtype.byteSize()} long
 */
public record TensorData(DType dtype, long[] shape, ByteBuffer data) {

    public TensorData {
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(
                    "tensor of " + dtype + Arrays.toString(shape) + " needs " + expected
                            + " bytes, got " + data.remaining());
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    public static TensorData ofFloats(long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new TensorData(DType.F32, shape.clone(), buffer);
    }

    public static TensorData ofLongs(long[] shape, long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return new TensorData(DType.I64, shape.clone(), buffer);
    }

    /** The values as float32: F32 as is, F16 and BF16 widened exactly, F64 rounded. */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2));
            }
            default -> throw new IllegalStateException("not a floating-point tensor: " + dtype);
        }
        return out;
    }

    /** The values as double (floating-point types widened, integer types converted). */
    public double[] toDoubles() {
        int n = Math.toIntExact(numel());
        double[] out = new double[n];
        if (dtype == DType.F64) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        } else if (dtype.isFloatingPoint()) {
            float[] f = toFloats();
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else {
            long[] l = toLongs();
            for (int i = 0; i < n; i++) out[i] = l[i];
        }
        return out;
    }

    /** The values of an integer or boolean tensor as long. */
    public long[] toLongs() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xFF;
                default -> throw new IllegalStateException("not an integer tensor: " + dtype);
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float32, exact (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
