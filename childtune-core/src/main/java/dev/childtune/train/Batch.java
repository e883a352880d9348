package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.childtune.model.ModelInputs;

/**
 * A padded batch on the engine with its labels (int64 class ids, or float32 targets for regression).
 */
public record Batch(ModelInputs inputs, NDArray labels) {

    /** The examples {@code from} (inclusive) to {@code to} (exclusive) of this batch, padding kept. */
    public Batch rows(int from, int to) {
        NDIndex index = new NDIndex(from + ":" + to);
        NDArray types = inputs.tokenTypeIds() == null ? null : inputs.tokenTypeIds().get(index);
        return new Batch(new ModelInputs(inputs.inputIds().get(index), inputs.attentionMask().get(index), types),
                labels.get(index));
    }

    /** The number of examples. */
    public int size() {
        return Math.toIntExact(labels.getShape().get(0));
    }
}
