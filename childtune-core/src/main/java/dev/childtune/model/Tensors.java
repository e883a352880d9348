package dev.childtune.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import dev.childtune.checkpoint.DType;
import dev.childtune.checkpoint.TensorData;

/** Moves tensors between checkpoint files (Java side) and the engine. */
public final class Tensors {
    private Tensors() {}

    /**
     * A float32 engine array with the tensor's values, in memory the engine owns. (DJL wraps a
     * Java buffer without copying it, and a checkpoint's buffer may be a read-only map of the
     * file.) F16 and BF16 are widened in Java first: bfloat16 must never reach DJL.
     */
    public static NDArray toFloatArray(NDManager manager, TensorData tensor) {
        Shape shape = new Shape(tensor.shape());
        try (NDArray view = tensor.dtype() == DType.F32
                ? manager.create(tensor.data(), shape, DataType.FLOAT32)
                : manager.create(tensor.toFloats(), shape)) {
            return view.duplicate();
        }
    }

    /** An int64 engine array with the values of an integer tensor. */
    public static NDArray toLongArray(NDManager manager, TensorData tensor) {
        return manager.create(tensor.toLongs(), new Shape(tensor.shape()));
    }

    /** A float32 checkpoint tensor with the values of an engine array. */
    public static TensorData fromArray(NDArray array) {
        if (!Devices.isHost(array.getDevice())) {
            try (NDArray onHost = array.toDevice(Device.cpu(), true)) {
                return fromArray(onHost);
            }
        }
        NDArray f = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        return new TensorData(DType.F32, f.getShape().getShape(), f.toByteBuffer());
    }

    /** Sets every element to 0 in place, NaNs and infinities included (a product with 0 would keep them). */
    public static void fillZero(NDArray array) {
        array.set(new NDIndex("..."), 0f);
    }

    /**
     * The engine's own memory of a float32 array as a Java buffer: reads see the array, writes
     * change it, nothing is copied. Fails (rather than silently handing out a copy) when the engine
     * cannot give a direct view.
     */
    public static FloatBuffer view(NDArray array) {
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("a float32 array is needed for a direct view, got " + array.getDataType());
        }
        if (!Devices.isHost(array.getDevice())) {
            throw new IllegalStateException("no direct view of an array on " + array.getDevice());
        }
        ByteBuffer bytes = array.toByteBuffer(true);
        if (!bytes.isDirect() || bytes.capacity() != array.size() * Float.BYTES) {
            throw new IllegalStateException("the engine gave no direct view of an array of shape " + array.getShape());
        }
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
