package dev.childtune.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import dev.childtune.ChildTuneException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model's tensors live: {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}. Which
 * GPUs exist depends on the PyTorch library the engine loaded: the Maven build ships the CPU one;
 * README "GPU" says how to run on a CUDA library.
 */
public final class Devices {
    private static final Pattern NAME = Pattern.compile("cpu|gpu(?::(\\d+))?");

    private Devices() {}

    /**
     * The device a name selects, checked against the GPUs the engine sees.
     *
     * @param name {@code cpu}, {@code gpu} or {@code gpu:N}; null or {@code auto} for the engine's default
     */
    public static Device parse(String name) {
        if (name == null || name.equals("auto")) {
            return Engine.getInstance().defaultDevice();
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new ChildTuneException("device: expected cpu, gpu or gpu:N (N a GPU index) or auto, got '"
                    + name + "'");
        }
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new ChildTuneException("device " + name + ": the engine sees " + (gpus == 0 ? "no GPU"
                    : gpus + " GPU(s), gpu:0 to gpu:" + (gpus - 1)) + " (PyTorch " + Engine.getInstance().getVersion()
                    + "; the CUDA library is needed, see the README's section GPU)");
        }
        return Device.gpu(index);
    }

    /** Whether arrays on the device can be read and written in place from Java (host memory). */
    public static boolean isHost(Device device) {
        return Device.Type.CPU.equals(device.getDeviceType());
    }

    /**
     * Waits until the work queued on the array's device has finished (a GPU runs asynchronously;
     * a timer must not stop before the kernels do): a reduction of the array, read back. (No
     * indexing: that is where DJL's JNI and a newer libtorch part ways, see README "GPU".)
     */
    public static void synchronize(NDArray array) {
        if (isHost(array.getDevice()) || array.size() == 0) {
            return;
        }
        try (NDArray sum = array.sum()) {
            sum.toByteBuffer();
        }
    }
}
