package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.childtune.model.Devices;
import dev.childtune.model.Tensors;
import dev.childtune.model.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The pretrained values of chosen parameters, copied once before the first step and never
 * written: one engine array per tensor (Mixout's forward pass reads it) and a read-only Java view
 * of that same memory (the optimizer's pull reads it). Nothing is copied per step.
 */
public final class PretrainedWeights implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private final Map<String, FloatBuffer> views = new LinkedHashMap<>();

    private PretrainedWeights(NDManager manager, Map<String, NDArray> arrays) {
        this.manager = manager;
        this.arrays = arrays;
        arrays.forEach((name, a) -> {
            if (Devices.isHost(a.getDevice())) {
                views.put(name, Tensors.view(a).asReadOnlyBuffer());
            }
        });
    }

    /** Copies the current values of the parameters {@code which} accepts, in a sub-manager of {@code parent}. */
    public static PretrainedWeights snapshot(Map<String, Parameter> parameters, Predicate<String> which,
            NDManager parent) {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            if (which.test(name)) {
                NDArray copy;
                try (NDArray detached = p.array().stopGradient()) {
                    copy = detached.duplicate(); // its own memory, outside autograd
                }
                copy.attach(manager);
                arrays.put(name, copy);
            }
        });
        return new PretrainedWeights(manager, arrays);
    }

    /** The names kept. */
    public Set<String> names() {
        return Collections.unmodifiableSet(arrays.keySet());
    }

    /** The engine copy (not to be modified), or null when the parameter was not kept. */
    public NDArray array(String name) {
        return arrays.get(name);
    }

    /** A read-only view of the kept values, or null when the parameter was not kept or lives on a GPU. */
    public FloatBuffer view(String name) {
        return views.get(name);
    }

    /** How many scalars are kept. */
    public long size() {
        return arrays.values().stream().mapToLong(NDArray::size).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
