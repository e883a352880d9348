package dev.childtune.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.FieldNamingPolicy;
import dev.childtune.ChildTuneException;
import java.nio.file.Path;

/**
 * Everything that shapes a fine-tuning run, with Hugging Face {@code TrainingArguments} names
 * (in snake_case when saved) and the ChildTuning reference's defaults. Immutable; build with
 * {@link #builder()}.
 *
 * @param evalSteps evaluate every this many optimizer steps; 0 for none between epochs
 * @param evalEachEpoch evaluate at the end of every epoch (the dev set is always evaluated at the end)
 * @param saveSteps write a checkpoint every this many steps; checkpoints are also written each epoch
 * @param earlyStoppingPatience stop after this many evaluations without improvement; 0 disables
 * @param maxTrainSamples a seeded, label-stratified subsample of the training set; 0 for all
 * @param padToMaxLength pad every batch to {@code maxSeqLength} (the reference) instead of dynamically
 * @param skipNonFinite skip the update of a step whose gradient holds a NaN or an infinity (counted in
 *     the results) instead of stopping the run
 * @param freezeBaseModel train only the parameters outside the base model (the head); the encoder
 *     gets no gradient and keeps its weights
 */
public record TrainingArguments(
        Path outputDir,
        double learningRate,
        double numTrainEpochs,
        int maxSteps,
        int perDeviceTrainBatchSize,
        int perDeviceEvalBatchSize,
        int gradientAccumulationSteps,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        LearningRateSchedule.Type lrSchedulerType,
        double warmupRatio,
        int warmupSteps,
        int seed,
        int maxSeqLength,
        boolean padToMaxLength,
        boolean groupByLength,
        int loggingSteps,
        int evalSteps,
        boolean evalEachEpoch,
        int saveSteps,
        int earlyStoppingPatience,
        int maxTrainSamples,
        boolean skipNonFinite,
        boolean freezeBaseModel) {

    public TrainingArguments {
        require(learningRate > 0, "learning_rate must be positive, got " + learningRate);
        require(numTrainEpochs > 0 || maxSteps > 0, "num_train_epochs or max_steps must be positive");
        require(perDeviceTrainBatchSize > 0, "per_device_train_batch_size must be positive");
        require(perDeviceEvalBatchSize > 0, "per_device_eval_batch_size must be positive");
        require(gradientAccumulationSteps > 0, "gradient_accumulation_steps must be positive");
        require(warmupRatio >= 0 && warmupRatio < 1, "warmup_ratio must be in [0, 1), got " + warmupRatio);
        require(warmupSteps >= 0, "warmup_steps must not be negative");
        require(maxSeqLength > 1, "max_seq_length must be at least 2, got " + maxSeqLength);
        require(loggingSteps > 0, "logging_steps must be positive");
        require(evalSteps >= 0 && saveSteps >= 0 && earlyStoppingPatience >= 0 && maxTrainSamples >= 0,
                "eval_steps, save_steps, early_stopping_patience and max_train_samples must not be negative");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ChildTuneException("invalid training argument: " + message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How many optimizer steps the run takes, given the number of training batches per epoch. */
    public int totalSteps(int batchesPerEpoch) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        int stepsPerEpoch = stepsPerEpoch(batchesPerEpoch);
        return (int) Math.ceil(numTrainEpochs * stepsPerEpoch);
    }

    public int stepsPerEpoch(int batchesPerEpoch) {
        return (batchesPerEpoch + gradientAccumulationSteps - 1) / gradientAccumulationSteps;
    }

    /** Warm-up steps: {@code warmup_steps} if set, else {@code ceil(warmup_ratio · total)} as Hugging Face. */
    public int warmupSteps(int totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(warmupRatio * totalSteps);
    }

    /** The arguments as a JSON object with Hugging Face's snake_case names. */
    public JsonObject toJson() {
        Gson gson = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .registerTypeHierarchyAdapter(Path.class, new com.google.gson.TypeAdapter<Path>() {
                    @Override
                    public void write(com.google.gson.stream.JsonWriter out, Path value) throws java.io.IOException {
                        out.value(value == null ? null : value.toString());
                    }

                    @Override
                    public Path read(com.google.gson.stream.JsonReader in) {
                        throw new UnsupportedOperationException();
                    }
                })
                .create();
        return gson.toJsonTree(this).getAsJsonObject();
    }

    /** Defaults: lr 2e-5, 3 epochs, batch 16, linear decay without warm-up, max length 128, seed 42. */
    public static final class Builder {
        private Path outputDir = Path.of("runs", "run");
        private double learningRate = 2e-5;
        private double numTrainEpochs = 3;
        private int maxSteps = -1;
        private int perDeviceTrainBatchSize = 16;
        private int perDeviceEvalBatchSize = 64;
        private int gradientAccumulationSteps = 1;
        private double weightDecay = 0.01;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private LearningRateSchedule.Type lrSchedulerType = LearningRateSchedule.Type.LINEAR;
        private double warmupRatio = 0;
        private int warmupSteps = 0;
        private int seed = 42;
        private int maxSeqLength = 128;
        private boolean padToMaxLength = false;
        private boolean groupByLength = false;
        private int loggingSteps = 50;
        private int evalSteps = 0;
        private boolean evalEachEpoch = false;
        private int saveSteps = 0;
        private int earlyStoppingPatience = 0;
        private int maxTrainSamples = 0;
        private boolean skipNonFinite = false;
        private boolean freezeBaseModel = false;

        public Builder outputDir(Path v) { outputDir = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder numTrainEpochs(double v) { numTrainEpochs = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder perDeviceTrainBatchSize(int v) { perDeviceTrainBatchSize = v; return this; }
        public Builder perDeviceEvalBatchSize(int v) { perDeviceEvalBatchSize = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder adamBetas(double b1, double b2) { adamBeta1 = b1; adamBeta2 = b2; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder lrSchedulerType(LearningRateSchedule.Type v) { lrSchedulerType = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder seed(int v) { seed = v; return this; }
        public Builder maxSeqLength(int v) { maxSeqLength = v; return this; }
        public Builder padToMaxLength(boolean v) { padToMaxLength = v; return this; }
        public Builder groupByLength(boolean v) { groupByLength = v; return this; }
        public Builder loggingSteps(int v) { loggingSteps = v; return this; }
        public Builder evalSteps(int v) { evalSteps = v; return this; }
        public Builder evalEachEpoch(boolean v) { evalEachEpoch = v; return this; }
        public Builder saveSteps(int v) { saveSteps = v; return this; }
        public Builder earlyStoppingPatience(int v) { earlyStoppingPatience = v; return this; }
        public Builder maxTrainSamples(int v) { maxTrainSamples = v; return this; }
        public Builder skipNonFinite(boolean v) { skipNonFinite = v; return this; }
        public Builder freezeBaseModel(boolean v) { freezeBaseModel = v; return this; }

        public TrainingArguments build() {
            return new TrainingArguments(outputDir, learningRate, numTrainEpochs, maxSteps, perDeviceTrainBatchSize,
                    perDeviceEvalBatchSize, gradientAccumulationSteps, weightDecay, adamBeta1, adamBeta2, adamEpsilon,
                    maxGradNorm, lrSchedulerType, warmupRatio, warmupSteps, seed, maxSeqLength, padToMaxLength,
                    groupByLength, loggingSteps, evalSteps, evalEachEpoch, saveSteps, earlyStoppingPatience,
                    maxTrainSamples, skipNonFinite, freezeBaseModel);
        }
    }
}
