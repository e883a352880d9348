package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import dev.childtune.model.ClassifierOutput;
import dev.childtune.model.ModelInputs;
import dev.childtune.model.SequenceClassifier;

/**
 * An addition to the training loss of each micro-batch (R3F's noise term), differentiated with it.
 * Only the training step uses it; evaluation and the Fisher pass see the model's own loss.
 */
@FunctionalInterface
public interface LossTerm {
    /**
     * @param model the model being trained
     * @param inputs the micro-batch
     * @param output the model's output on it in this step's training forward pass
     * @param dropout whether dropout is active in this step
     * @return a scalar recorded by autograd, added to the micro-batch's loss before backward
     */
    NDArray term(SequenceClassifier model, ModelInputs inputs, ClassifierOutput output, boolean dropout);
}
