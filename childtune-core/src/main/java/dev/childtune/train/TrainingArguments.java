package dev.childtune.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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

    /**
     * The arguments a resumed run may change: they decide how often it reports and saves and where,
     * not what it computes. Every other argument must match the run it continues.
     */
    public static final Set<String> RESUMABLE = Set.of("output_dir", "logging_steps", "save_steps",
            "per_device_eval_batch_size");

    public TrainingArguments {
        require(learningRate > 0, "must be positive, got " + learningRate, "learning_rate");
        require(numTrainEpochs > 0 || maxSteps > 0, "must be positive", "num_train_epochs", "max_steps");
        require(perDeviceTrainBatchSize > 0, "must be positive, got " + perDeviceTrainBatchSize,
                "per_device_train_batch_size");
        require(perDeviceEvalBatchSize > 0, "must be positive, got " + perDeviceEvalBatchSize,
                "per_device_eval_batch_size");
        require(gradientAccumulationSteps > 0, "must be positive, got " + gradientAccumulationSteps,
                "gradient_accumulation_steps");
        require(warmupRatio >= 0 && warmupRatio < 1, "must be in [0, 1), got " + warmupRatio, "warmup_ratio");
        require(warmupSteps >= 0, "must not be negative, got " + warmupSteps, "warmup_steps");
        require(maxSeqLength > 1, "must be at least 2, got " + maxSeqLength, "max_seq_length");
        require(loggingSteps > 0, "must be positive, got " + loggingSteps, "logging_steps");
        require(evalSteps >= 0, "must not be negative, got " + evalSteps, "eval_steps");
        require(saveSteps >= 0, "must not be negative, got " + saveSteps, "save_steps");
        require(earlyStoppingPatience >= 0, "must not be negative, got " + earlyStoppingPatience,
                "early_stopping_patience");
        require(maxTrainSamples >= 0, "must not be negative, got " + maxTrainSamples, "max_train_samples");
    }

    private static void require(boolean ok, String problem, String... arguments) {
        if (!ok) {
            throw new Invalid(List.of(arguments), problem);
        }
    }

    /**
     * An argument out of its range. A front end that names the arguments differently (a command
     * line's {@code --epochs}) rewords it from {@link #arguments()} and {@link #problem()}.
     *
     * @param arguments the snake_case names of the arguments concerned (several when only together they are wrong)
     * @param problem what is wrong, e.g. {@code must be positive, got 0}
     */
    public static final class Invalid extends ChildTuneException {
        private final List<String> arguments;
        private final String problem;

        Invalid(List<String> arguments, String problem) {
            super("invalid training argument: " + String.join(" or ", arguments) + " " + problem);
            this.arguments = List.copyOf(arguments);
            this.problem = problem;
        }

        public List<String> arguments() {
            return arguments;
        }

        public String problem() {
            return problem;
        }
    }

    /**
     * A setting whose value differs from an earlier run's; the values as {@link #toJson()} writes
     * them, null for a setting one of the two does not have.
     */
    public record Change(String name, JsonElement now, JsonElement before) {
        /** The settings of {@code now} and {@code before} whose values differ, except the {@code ignored} ones. */
        public static List<Change> between(JsonObject now, JsonObject before, Set<String> ignored) {
            Set<String> names = new LinkedHashSet<>(now.keySet());
            names.addAll(before.keySet());
            List<Change> changes = new ArrayList<>();
            for (String name : names) {
                if (!ignored.contains(name) && !Objects.equals(now.get(name), before.get(name))) {
                    changes.add(new Change(name, now.get(name), before.get(name)));
                }
            }
            return changes;
        }
    }

    /**
     * What a resume with these arguments would change in the run that wrote {@code earlier} (its
     * {@code arguments} in {@code run.json}): every difference except the {@link #RESUMABLE} ones and
     * the arguments an earlier version did not record.
     */
    public List<Change> changesFrom(JsonObject earlier) {
        return Change.between(toJson(), earlier, RESUMABLE).stream().filter(change -> change.before() != null).toList();
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
