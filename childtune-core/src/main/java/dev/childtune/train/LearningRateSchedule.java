package dev.childtune.train;

import dev.childtune.ChildTuneException;
import java.util.Locale;

/**
 * The learning rate of each optimizer step (0-based), as Hugging Face's schedules with
 * {@code LambdaLR}: {@code lr(s) = peak · λ(s)}.
 */
public interface LearningRateSchedule {
    double lr(int step);

    /** Hugging Face's {@code lr_scheduler_type} values that ChildTune offers. */
    enum Type {
        LINEAR, CONSTANT, COSINE;

        public static Type fromName(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT).replace("_WITH_WARMUP", ""));
            } catch (IllegalArgumentException e) {
                throw new ChildTuneException("unknown learning-rate schedule '" + name
                        + "' (expected linear, constant or cosine)");
            }
        }
    }

    /**
     * @param warmupSteps steps of linear warm-up from 0
     * @param totalSteps optimizer steps in the whole run
     */
    static LearningRateSchedule of(Type type, double peak, int warmupSteps, int totalSteps) {
        return step -> peak * multiplier(type, step, warmupSteps, totalSteps);
    }

    /** Hugging Face's {@code lr_lambda}, computed in double exactly as Transformers computes it. */
    private static double multiplier(Type type, int step, int warmupSteps, int totalSteps) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double remaining = (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps);
        return switch (type) {
            case LINEAR -> Math.max(0.0, remaining);
            case CONSTANT -> 1.0;
            case COSINE -> {
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
        };
    }
}
