package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import dev.childtune.model.ModelInputs;

/**
 * A padded batch on the engine with its labels (int64 class ids, or float32 targets for regression).
 */
public record Batch(ModelInputs inputs, NDArray labels) {}
