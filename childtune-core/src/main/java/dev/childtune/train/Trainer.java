package dev.childtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.data.Task;
import dev.childtune.data.TaskData;
import dev.childtune.io.AtomicFiles;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.Tensors;
import dev.childtune.model.nn.Parameter;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.GradientMask;
import dev.childtune.tuning.MaskFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fine-tuning loop, the Java counterpart of Hugging Face's {@code Trainer} under
 * {@code run_glue.py}. Per step, in this order: learning rate → forward/backward of each
 * micro-batch → global clipping → gradient mask → AdamW → zero gradients → log → evaluate →
 * checkpoint. A method enters through its {@link FineTuning}, prepared on the pretrained model
 * before the first step into a {@link GradientMask} (ChildTuning) and {@link TrainingHooks} (the
 * other methods: frozen parameters, per-parameter learning rates, a weight substitution in the
 * training forward pass, a loss term, a pull toward the pretrained weights).
 */
public final class Trainer {
    private static final String OPTIMIZER_FILE = "optimizer.safetensors";

    private final PretrainedModel model;
    private final Task task;
    private final TrainingArguments args;
    private final FineTuning method;
    private final TrainingListener listener;
    private final RunDirectory run;
    private final EncodedDataset trainSet;
    private final EncodedDataset devSet;
    private final Batcher trainBatcher;
    private final Evaluator evaluator;
    private volatile boolean stopRequested;

    /**
     * @param maskFactory prepares the method's gradient mask (ChildTuning-D estimates its Fisher there)
     * @param method the name recorded in results ("vanilla", "childtuning-d", ...)
     * @param provenance extra facts for {@code run.json} (model source, command line, versions)
     */
    public Trainer(PretrainedModel model, TextTokenizer tokenizer, TaskData data, TrainingArguments args,
            MaskFactory maskFactory, String method, TrainingListener listener, JsonObject provenance) {
        this(model, tokenizer, data, args, FineTuning.withMask(maskFactory, method), listener, provenance);
    }

    /**
     * @param method the base method, ChildTuning mask and modifiers of the run
     * @param provenance extra facts for {@code run.json} (model source, command line, versions)
     */
    public Trainer(PretrainedModel model, TextTokenizer tokenizer, TaskData data, TrainingArguments args,
            FineTuning method, TrainingListener listener, JsonObject provenance) {
        this.model = model;
        this.task = data.task();
        this.args = args;
        this.method = method;
        method.check(model.classifier()); // refused before anything is written
        this.listener = listener;
        this.run = new RunDirectory(args.outputDir());
        long weightBytes = model.classifier().namedParameters().values().stream()
                .mapToLong(p -> p.shape().size() * Float.BYTES).sum();
        // model/ and a checkpoint (weights and both Adam moments), each built beside the old one.
        run.prepare(2 * (weightBytes + 3 * weightBytes));
        Padding padding = Batcher.padding(tokenizer, model.config());
        this.trainSet = EncodedDataset.encode(data.train(), tokenizer, task.regression());
        this.devSet = EncodedDataset.encode(data.dev(), tokenizer, task.regression());
        if (trainSet.size() == 0 || devSet.size() == 0) {
            throw new ChildTuneException("task " + task.name() + ": the " + (trainSet.size() == 0 ? "train" : "dev")
                    + " split is empty");
        }
        int fixedLength = args.padToMaxLength() ? args.maxSeqLength() : 0;
        this.trainBatcher = new Batcher(trainSet, args.perDeviceTrainBatchSize(), padding, fixedLength,
                args.groupByLength());
        this.evaluator = new Evaluator(model, devSet,
                new Batcher(devSet, args.perDeviceEvalBatchSize(), padding, fixedLength, false));
        JsonObject runJson = new JsonObject();
        runJson.addProperty("task", task.name());
        runJson.addProperty("method", method.name());
        runJson.add("method_options", method.options());
        runJson.add("arguments", args.toJson());
        runJson.add("provenance", provenance);
        runJson.addProperty("train_examples", trainSet.size());
        runJson.addProperty("dev_examples", devSet.size());
        runJson.addProperty("start_time", Instant.now().toString());
        run.writeJson(RunDirectory.RUN_JSON, runJson);
    }

    /** The outcome of a run, also written to {@code results.json}. */
    public record Result(Map<String, Double> metrics, String mainMetric, double mainValue, int steps,
            double trainSeconds, Path modelFolder) {}

    /**
     * Asks a running {@link #train} to stop at the end of the current step: it writes a checkpoint
     * and throws {@link Interrupted}. Safe to call from any thread (a signal handler).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** A run stopped on request after saving a checkpoint; {@code --resume} continues it. */
    public static final class Interrupted extends ChildTuneException {
        public Interrupted(int step, Path checkpoint) {
            super("stopped at step " + step + "; checkpoint saved in " + checkpoint + " (continue with --resume)");
        }
    }

    /** Trains from the start, or from the latest checkpoint in the output folder when {@code resume}. */
    public Result train(boolean resume) {
        int batchesPerEpoch = trainBatcher.batchesPerEpoch();
        int totalSteps = args.totalSteps(batchesPerEpoch);
        // The method is prepared on the pretrained weights, before a resume loads later ones.
        try (FineTuning.Prepared prepared = method.prepare(new MaskFactory.Context(model.classifier(), this::fisherPass,
                args.seed(), args.maxGradNorm(), run.root(), resume, model.manager(), listener::notice),
                model.loadReport().newlyInitialized(), totalSteps)) {
            return train(resume, prepared, batchesPerEpoch, totalSteps);
        }
    }

    private Result train(boolean resume, FineTuning.Prepared prepared, int batchesPerEpoch, int totalSteps) {
        GradientMask mask = prepared.mask();
        TrainingHooks hooks = prepared.hooks();
        TrainerState state = resume ? restore() : TrainerState.start();
        LearningRateSchedule schedule = LearningRateSchedule.of(args.lrSchedulerType(), args.learningRate(),
                args.warmupSteps(totalSteps), totalSteps);
        long started = System.nanoTime();
        long examplesSeen = 0;
        Evaluator.Evaluation last = null;
        if (args.freezeBaseModel()) { // a fresh head on a frozen encoder
            String base = model.classifier().baseModelPrefix() + ".";
            hooks = hooks.withTrainable(hooks.trainable().and(name -> !name.startsWith(base)));
        }
        Map<String, Parameter> trainable = new LinkedHashMap<>(model.classifier().namedParameters());
        trainable.keySet().removeIf(hooks.trainable().negate()); // frozen: no optimizer state at all
        try (AdamW optimizer = AdamW.builder(trainable, model.manager())
                .optBetas(args.adamBeta1(), args.adamBeta2()).optEpsilon(args.adamEpsilon())
                .optWeightDecay(args.weightDecay()).optLearningRateScale(hooks.learningRateScale())
                .optPull(hooks.pull()).build()) {
            if (resume && state.globalStep() > 0) {
                optimizer.loadState(SafeTensors.read(run.checkpointFolder(state.globalStep()).resolve(OPTIMIZER_FILE)));
            }
            OptimizerStep stepper = new OptimizerStep(model.classifier(), optimizer, mask, args.maxGradNorm(), hooks);
            listener.started(state.globalStep(), totalSteps);
            boolean stop = state.globalStep() >= totalSteps;
            while (!stop) {
                List<int[]> order = trainBatcher.trainingOrder(args.seed(), state.epoch());
                int accumulation = args.gradientAccumulationSteps();
                int batch = state.batchInEpoch();
                while (batch < order.size() && !stop) {
                    int step = state.globalStep();
                    List<int[]> micro = order.subList(batch, Math.min(order.size(), batch + accumulation));
                    double lr = schedule.lr(step);
                    // Dropout draws from (seed, step) alone, so a resumed run repeats the same masks.
                    Engine.getInstance().setRandomSeed(args.seed() * 1_000_003 + step);
                    OptimizerStep.Result r;
                    try (NDManager stepManager = model.manager().newSubManager()) {
                        r = stepper.run(trainBatcher.batches(micro, stepManager), step, lr, true);
                    }
                    batch += micro.size();
                    examplesSeen += micro.stream().mapToInt(m -> m.length).sum();
                    boolean epochDone = batch >= order.size();
                    state = new TrainerState(step + 1, epochDone ? state.epoch() + 1 : state.epoch(),
                            epochDone ? 0 : batch, state.bestMetric(), state.bestStep(),
                            state.evaluationsWithoutImprovement(), state.skippedSteps() + (r.skipped() ? 1 : 0));
                    if (r.skipped() && !args.skipNonFinite()) {
                        throw new ChildTuneException("training diverged at step " + (step + 1) + ": the gradient of "
                                + r.nonFiniteGradient() + " is not finite (the loss is " + r.loss()
                                + "); try a lower --learning-rate, or --skip-nonfinite to skip such steps; the last"
                                + " good checkpoint is in " + run.checkpointsFolder());
                    }
                    if (r.skipped()) {
                        listener.notice("step " + (step + 1) + " skipped: the gradient of " + r.nonFiniteGradient()
                                + " is not finite");
                    }
                    double epoch = state.epoch() + (double) state.batchInEpoch() / order.size();
                    listener.stepped(step + 1, totalSteps, epoch, r.loss(), lr, r.gradNorm());
                    if ((step + 1) % args.loggingSteps() == 0 || step + 1 == totalSteps) {
                        logStep(step + 1, epoch, r, lr);
                    }
                    boolean finalStep = step + 1 >= totalSteps;
                    boolean evaluate = (args.evalSteps() > 0 && (step + 1) % args.evalSteps() == 0)
                            || (epochDone && args.evalEachEpoch()) || finalStep;
                    if (evaluate) {
                        last = evaluator.evaluate(task.metrics());
                        state = recordEvaluation(state, last, step + 1, epoch);
                        stop = args.earlyStoppingPatience() > 0
                                && state.evaluationsWithoutImprovement() >= args.earlyStoppingPatience();
                        if (stop) {
                            listener.notice("early stopping at step " + (step + 1) + ": no improvement of "
                                    + task.mainMetric() + " in " + args.earlyStoppingPatience() + " evaluations");
                        }
                    }
                    if ((args.saveSteps() > 0 && (step + 1) % args.saveSteps() == 0) || epochDone || stopRequested) {
                        checkpoint(state, optimizer);
                    }
                    if (stopRequested && !finalStep) {
                        throw new Interrupted(step + 1, run.checkpointFolder(step + 1));
                    }
                    stop |= finalStep;
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (last == null) {
            last = evaluator.evaluate(task.metrics());
            state = recordEvaluation(state, last, state.globalStep(), state.epoch());
        }
        return finish(state, last, seconds, examplesSeen, prepared.details());
    }

    /** Every parameter, or with {@code freeze_base_model} only those outside the base model (the head). */
    private void logStep(int step, double epoch, OptimizerStep.Result r, double lr) {
        JsonObject line = new JsonObject();
        line.addProperty("step", step);
        line.addProperty("epoch", epoch);
        line.addProperty("loss", r.loss());
        line.addProperty("learning_rate", lr);
        line.addProperty("grad_norm", r.gradNorm());
        run.appendMetrics(line);
    }

    /** Logs an evaluation; a new best main metric saves the model to {@code model/}. */
    private TrainerState recordEvaluation(TrainerState state, Evaluator.Evaluation evaluation, int step, double epoch) {
        JsonObject line = new JsonObject();
        line.addProperty("step", step);
        line.addProperty("epoch", epoch);
        evaluation.metrics().forEach((k, v) -> line.addProperty(k.startsWith("eval_") ? k : "eval_" + k, v));
        run.appendMetrics(line);
        listener.evaluated(step, evaluation.metrics());
        double value = evaluation.metrics().get(task.mainMetric());
        boolean better = Double.isNaN(state.bestMetric()) || value > state.bestMetric();
        if (better) {
            AtomicFiles.replaceFolder(run.modelFolder(), model::save);
            writePredictions(evaluation);
            return new TrainerState(state.globalStep(), state.epoch(), state.batchInEpoch(), value, step, 0,
                    state.skippedSteps());
        }
        return new TrainerState(state.globalStep(), state.epoch(), state.batchInEpoch(), state.bestMetric(),
                state.bestStep(), state.evaluationsWithoutImprovement() + 1, state.skippedSteps());
    }

    private void writePredictions(Evaluator.Evaluation evaluation) {
        StringBuilder tsv = new StringBuilder("index\tprediction\tlabel\n");
        double[] p = evaluation.predictions();
        for (int i = 0; i < p.length; i++) {
            EncodedDataset.Item item = devSet.get(i);
            String predicted = task.regression() ? Double.toString((float) p[i]) : task.labels().get((int) p[i]);
            String gold = task.regression() ? Float.toString(item.target()) : task.labels().get(item.label());
            tsv.append(i).append('\t').append(predicted).append('\t').append(gold).append('\n');
        }
        run.writeText("predictions.tsv", tsv.toString());
    }

    private void checkpoint(TrainerState state, AdamW optimizer) {
        Path folder = run.checkpointFolder(state.globalStep());
        AtomicFiles.replaceFolder(folder, staging -> {
            model.save(staging);
            SafeTensors.write(staging.resolve(OPTIMIZER_FILE), optimizer.state(), Map.of());
            AtomicFiles.writeString(staging.resolve(TrainerState.FILE_NAME),
                    RunDirectory.GSON.toJson(state.toJson()));
        });
        run.deleteCheckpointsExcept(folder);
    }

    /** Loads the latest checkpoint's weights into the model and returns its state. */
    private TrainerState restore() {
        Path checkpoint = run.latestCheckpoint().orElse(null);
        if (checkpoint == null) {
            listener.notice("no checkpoint in " + run.checkpointsFolder() + ": starting from the beginning");
            return TrainerState.start();
        }
        TrainerState state = TrainerState.read(checkpoint);
        Map<String, TensorData> weights = SafeTensors.read(checkpoint.resolve(SafeTensors.MODEL_FILE));
        for (Map.Entry<String, Parameter> e : model.classifier().namedParameters().entrySet()) {
            TensorData t = weights.get(e.getKey());
            if (t == null) {
                throw new ChildTuneException(checkpoint + ": the checkpoint lacks " + e.getKey());
            }
            e.getValue().setArray(Tensors.toFloatArray(model.manager(), t));
        }
        run.truncateMetricsAfter(state.globalStep());
        listener.notice("resumed from " + checkpoint + " (step " + state.globalStep() + ")");
        return state;
    }

    /** One shuffled pass over the training set in training-size batches (its own order, not epoch 0's). */
    private List<Batch> fisherPass(NDManager manager) {
        return trainBatcher.onDemand(trainBatcher.trainingOrder(args.seed(), -1), manager);
    }

    private Result finish(TrainerState state, Evaluator.Evaluation last, double seconds, long examplesSeen,
            JsonObject methodDetails) {
        JsonObject results = new JsonObject();
        results.addProperty("task", task.name());
        results.addProperty("method", method.name());
        results.add("method_details", methodDetails);
        results.addProperty("seed", args.seed());
        JsonObject metrics = new JsonObject();
        last.metrics().forEach(metrics::addProperty);
        results.add("metrics", metrics);
        results.addProperty("main_metric", task.mainMetric());
        results.addProperty("main_metric_value", last.metrics().get(task.mainMetric()));
        results.addProperty("best_main_metric_value", state.bestMetric());
        results.addProperty("best_step", state.bestStep());
        results.addProperty("steps", state.globalStep());
        results.addProperty("skipped_nonfinite_steps", state.skippedSteps());
        results.addProperty("train_seconds", seconds);
        results.addProperty("train_examples_per_second", seconds > 0 ? examplesSeen / seconds : 0);
        run.writeJson("results.json", results);
        return new Result(last.metrics(), task.mainMetric(), last.metrics().get(task.mainMetric()),
                state.globalStep(), seconds, run.modelFolder());
    }
}
