package dev.childtune.tuning;

import ai.djl.ndarray.NDManager;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.train.Batch;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds a run's {@link GradientMask} before its first step, when the model still holds its
 * pretrained weights: where ChildTuning-D estimates its Fisher information.
 */
@FunctionalInterface
public interface MaskFactory {
    GradientMask create(Context context);

    /**
     * What a method may use to prepare.
     *
     * @param trainingPass one shuffled pass over the training set in training-size batches, on the given manager
     *     (the trainer hands a {@link dev.childtune.train.Batcher.OnDemand}: one batch built at a time)
     * @param runFolder where artifacts (the child mask) are saved
     * @param resume whether the run continues from a checkpoint (reuse saved artifacts)
     * @param notice one-line progress messages
     */
    record Context(SequenceClassifier model, Function<NDManager, List<Batch>> trainingPass, long seed,
            double maxGradNorm, Path runFolder, boolean resume, NDManager manager, Consumer<String> notice) {}

    /** A mask that needs no preparation. */
    static MaskFactory of(GradientMask mask) {
        return context -> mask;
    }
}
