package dev.childtune.train;

import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * How a fine-tuning method changes the loop besides the {@link dev.childtune.tuning.GradientMask}:
 * five small, general seams, each of which defaults to plain fine-tuning ({@link #NONE}).
 *
 * @param trainable the parameters that train; the others are frozen: no gradient is computed for
 *     them and the optimizer keeps no state for them (Top-K)
 * @param learningRateScale a factor on a parameter's learning rate, and so on its decay and pull
 *     (layer-wise learning-rate decay)
 * @param substitution weights the training forward pass reads instead of the stored ones (Mixout);
 *     null for none
 * @param lossTerm an addition to each micro-batch's training loss (R3F); null for none
 * @param pull a pull toward the pretrained weights inside the update (WD-pre, RecAdam); null for none
 */
public record TrainingHooks(Predicate<String> trainable, ToDoubleFunction<String> learningRateScale,
        WeightSubstitution substitution, LossTerm lossTerm, PretrainedPull pull) {

    /** Plain fine-tuning: everything trains at the run's learning rate, nothing is added. */
    public static final TrainingHooks NONE = new TrainingHooks(name -> true, name -> 1.0, null, null, null);

    public TrainingHooks {
        Objects.requireNonNull(trainable, "trainable");
        Objects.requireNonNull(learningRateScale, "learningRateScale");
    }

    public TrainingHooks withTrainable(Predicate<String> v) {
        return new TrainingHooks(v, learningRateScale, substitution, lossTerm, pull);
    }

    public TrainingHooks withLearningRateScale(ToDoubleFunction<String> v) {
        return new TrainingHooks(trainable, v, substitution, lossTerm, pull);
    }

    public TrainingHooks withSubstitution(WeightSubstitution v) {
        return new TrainingHooks(trainable, learningRateScale, v, lossTerm, pull);
    }

    public TrainingHooks withLossTerm(LossTerm v) {
        return new TrainingHooks(trainable, learningRateScale, substitution, v, pull);
    }

    public TrainingHooks withPull(PretrainedPull v) {
        return new TrainingHooks(trainable, learningRateScale, substitution, lossTerm, v);
    }
}
