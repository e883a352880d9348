package dev.childtune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.childtune.data.GlueTasks;
import dev.childtune.data.TaskData;
import dev.childtune.model.Devices;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.ModelInputs;
import dev.childtune.model.PretrainedModel;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.Batcher;
import dev.childtune.train.EncodedDataset;
import dev.childtune.train.Evaluator;
import dev.childtune.train.ForwardBackward;
import dev.childtune.train.OptimizerStep;
import dev.childtune.tuning.ChildMask;
import dev.childtune.tuning.ChildTuningD;
import dev.childtune.tuning.ChildTuningF;
import dev.childtune.tuning.FisherInformation;
import dev.childtune.tuning.GradientMask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The shipped benchmark of issue 7, in one process and one run so that its ratios hold on a noisy
 * machine: the engine's GEMM peak; a full training step (dropout, attention mask, global clipping,
 * AdamW) of the default model and of BERT-base geometry, with tokens/s, model FLOP/s
 * ({@link FlopCount}) and MFU against that peak; evaluation examples/s; ChildTuning-F and -D
 * against vanilla; the Fisher pass against the training forward+backward; an RTE epoch with
 * dynamic padding against one padded to the sequence length; the peak resident memory of a child
 * JVM training the default model.
 *
 * <p>Every timed figure is the median of {@code rounds} repeats after {@code warmup} untimed ones.
 * The default model's timings (vanilla, F, D, forward+backward, Fisher, evaluation) are taken
 * interleaved, round by round, so that drift of the machine's speed hits them alike. Synthetic
 * batches have no padding (every token real, the attention mask all ones but applied), so every
 * token counted in the FLOPs is real work.
 */
public final class PerformanceBenchmark {
    /** The targets. */
    public static final double TARGET_MFU_DEFAULT = 0.65;
    public static final double TARGET_MFU_BASE = 0.75;
    public static final double TARGET_F_RATIO = 1.05;
    public static final double TARGET_D_RATIO = 1.02;
    public static final double TARGET_FISHER_RATIO = 0.9;
    public static final double TARGET_PADDING_RATIO = 0.5;
    public static final double TARGET_MEMORY_MIB = 2048;

    /** ChildTuning's reserve probability in the overhead figures (the paper's usual 0.3). */
    static final double RESERVE_P = 0.3;
    static final double LEARNING_RATE = 1e-5;
    static final double MAX_GRAD_NORM = 1.0;

    private final BenchmarkOptions options;
    private final Consumer<String> progress;
    private final long startNanos = System.nanoTime();
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final Map<String, JsonObject> details = new LinkedHashMap<>();
    /** Every GEMM rate measured: the section's repeats, then one per round of the model loops. */
    private final List<Double> gemmGflops = new ArrayList<>();
    private int gemmSectionRepeats;
    private NDManager gemmManager;
    private NDArray gemmA;
    private NDArray gemmB;
    /** Figures that divide by the GEMM peak, filled in once every GEMM sample is in. */
    private final List<Runnable> afterGemm = new ArrayList<>();

    private PerformanceBenchmark(BenchmarkOptions options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs the selected sections.
     *
     * @param progress told one line per step of the run (the library itself never prints)
     */
    public static BenchmarkReport run(BenchmarkOptions options, Consumer<String> progress) {
        return new PerformanceBenchmark(options, progress).run();
    }

    private BenchmarkReport run() {
        Instant started = Instant.now();
        MachineInfo machine = MachineInfo.read();
        say("machine: " + machine.describe() + String.format(Locale.ROOT, "; load average %.1f",
                machine.loadAverage()));
        try {
            if (options.runs(Section.GEMM)) {
                gemm();
            }
            sections();
        } finally {
            if (gemmManager != null) {
                gemmManager.close();
            }
        }
        if (options.runs(Section.GEMM)) {
            gemmFigures();
        }
        afterGemm.forEach(Runnable::run);
        JsonObject process = new JsonObject();
        process.addProperty("bench_process_vmhwm_kib", MemoryProbe.peakResidentKiB());
        details.put("process", process);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new BenchmarkReport(machine, options, started, seconds, MachineInfo.currentLoadAverage(), figures,
                skipped, details);
    }

    /** In the order of the report: the default model's rounds, BERT-base, padding, memory. */
    private void sections() {
        if (options.runs(Section.STEP) || options.runs(Section.OVERHEAD) || options.runs(Section.FISHER)
                || options.runs(Section.INFERENCE)) {
            try (PretrainedModel model = loadDefault()) {
                defaultModelRounds(model);
            }
        }
        if (options.runs(Section.PROFILE)) {
            try (PretrainedModel model = loadDefault()) {
                profile(model);
            }
        }
        if (options.runs(Section.BASE)) {
            base();
        }
        if (options.runs(Section.PADDING)) {
            try (PretrainedModel model = loadDefault()) {
                padding(model);
            }
        }
        if (options.runs(Section.MEMORY)) {
            memory();
        }
    }

    private PretrainedModel loadDefault() {
        say("loading " + options.modelName() + " from " + options.modelFolder());
        return PretrainedModel.load(options.modelFolder(), ModelConfig.read(options.modelFolder()), options.seed(),
                false, options.device());
    }

    private void say(String message) {
        progress.accept(String.format(Locale.ROOT, "[%6.1f s] %s", (System.nanoTime() - startNanos) / 1e9, message));
    }

    private void put(Figure f) {
        figures.put(f.key(), f);
    }

    // ---------------------------------------------------------------------------------------- gemm

    /**
     * The section's own repeats. The matrices stay allocated so that every round of the model
     * loops also times one product ({@link #rounds}): the peak is the best rate of the whole run,
     * taken at the same times as the steps it divides, so a machine whose speed drifts (other
     * jobs) does not bias MFU one way.
     */
    private void gemm() {
        int n = options.gemmSize();
        gemmSectionRepeats = Math.max(3, options.rounds());
        gemmManager = NDManager.newBaseManager(options.device());
        gemmA = gemmManager.randomUniform(-1f, 1f, new Shape(n, n));
        gemmB = gemmManager.randomUniform(-1f, 1f, new Shape(n, n));
        for (int r = 0; r < options.warmup() + gemmSectionRepeats; r++) {
            double s = gemmOnce();
            if (r >= options.warmup()) {
                gemmGflops.add(gemmFlops() / s / 1e9);
            }
            say(String.format(Locale.ROOT, "gemm %d³ %s: %.3f s, %.1f GFLOP/s", n,
                    r < options.warmup() ? "warm-up" : "repeat " + (r - options.warmup() + 1) + "/"
                            + gemmSectionRepeats, s, gemmFlops() / s / 1e9));
        }
        // placeholders, so that the GEMM figures come first; gemmFigures() fills them in
        put(Figure.of("gemm.peak_gflops", "", "GFLOP/s", Double.NaN, List.of()));
        put(Figure.of("gemm.median_gflops", "", "GFLOP/s", Double.NaN, List.of()));
    }

    private double gemmFlops() {
        double n = options.gemmSize();
        return 2 * n * n * n;
    }

    /** Seconds of one product of the section's matrices. */
    private double gemmOnce() {
        long t0 = System.nanoTime();
        try (NDArray c = gemmA.matMul(gemmB)) {
            Devices.synchronize(c); // a GPU returns before the product is done
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private double gemmPeak() {
        return Stats.max(gemmGflops);
    }

    private void gemmFigures() {
        String shape = options.gemmSize() + "³";
        put(Figure.of("gemm.peak_gflops", "fp32 matmul peak (" + shape + ", best of " + gemmGflops.size() + ")",
                "GFLOP/s", gemmPeak(), gemmGflops).withNote("best of every product timed in the run: the section's "
                + gemmSectionRepeats + " repeats, then one per round of the model loops; MFU's denominator"));
        put(Figure.of("gemm.median_gflops", "fp32 matmul median (" + shape + ")", "GFLOP/s",
                Stats.median(gemmGflops), gemmGflops));
    }

    // ------------------------------------------------------------------- default model, interleaved

    /** One timed piece of work of a round. */
    private interface Work {
        void run(int round, Batch batch);
    }

    private void defaultModelRounds(PretrainedModel model) {
        SequenceClassifier classifier = model.classifier();
        int batchSize = options.batchSize();
        int length = options.seqLength();
        boolean step = options.runs(Section.STEP) || options.runs(Section.OVERHEAD);
        boolean overhead = options.runs(Section.OVERHEAD);
        boolean fisher = options.runs(Section.FISHER);
        boolean inference = options.runs(Section.INFERENCE);
        String shape = batchSize + "×" + length;
        try (NDManager manager = model.manager().newSubManager();
                AdamW optimizer = AdamW.builder(classifier.namedParameters(), model.manager()).build()) {
            List<Batch> batches = syntheticBatches(model.config(), manager, batchSize, length, 4, options.seed());
            Map<String, Work> work = new LinkedHashMap<>();
            if (step || fisher) {
                OptimizerStep vanilla = new OptimizerStep(classifier, optimizer, GradientMask.NONE, MAX_GRAD_NORM);
                work.put("vanilla", (round, batch) -> vanilla.run(List.of(batch), round, LEARNING_RATE, true));
            }
            if (overhead) {
                OptimizerStep f = new OptimizerStep(classifier, optimizer, new ChildTuningF(RESERVE_P, options.seed()),
                        MAX_GRAD_NORM);
                work.put("childtuning-f", (round, batch) -> f.run(List.of(batch), round, LEARNING_RATE, true));
                say("ChildTuning-D's mask: a Fisher pass over one batch");
                FisherInformation.Estimate estimate = FisherInformation.estimate(classifier, batches.subList(0, 1),
                        MAX_GRAD_NORM, FisherInformation.REFERENCE_SCOPE, true, manager);
                ChildMask mask = ChildMask.fromFisher(estimate.scores(), RESERVE_P, manager);
                OptimizerStep d = new OptimizerStep(classifier, optimizer, new ChildTuningD(mask), MAX_GRAD_NORM);
                work.put("childtuning-d", (round, batch) -> d.run(List.of(batch), round, LEARNING_RATE, true));
            }
            if (fisher) {
                work.put("forward+backward", (round, batch) -> forwardBackward(classifier, batch));
                work.put("fisher", (round, batch) -> {
                    try (NDManager scores = manager.newSubManager()) {
                        FisherInformation.estimate(classifier, List.of(batch), MAX_GRAD_NORM,
                                FisherInformation.REFERENCE_SCOPE, true, scores);
                    }
                });
            }
            boolean[] gradMode = {false};
            if (inference) {
                EncodedDataset evalSet = syntheticDataset(model.config(), batchSize, length, options.seed() + 1);
                Evaluator evaluator = new Evaluator(model, evalSet, new Batcher(evalSet, batchSize,
                        Padding.right(model.config().padTokenId()), 0, false));
                List<String> metric = List.of(model.config().isRegression() ? "pearson" : "accuracy");
                work.put("evaluation", (round, batch) -> {
                    gradMode[0] |= gradMode();
                    evaluator.evaluate(metric);
                });
            }
            Map<String, List<Double>> times = rounds(work, batches, "default " + shape, anyWeight(model));

            JsonObject detail = new JsonObject();
            if (step) {
                FlopCount.Count count = FlopCount.training(classifier, batchSize, length);
                detail.add("training_flops", flopJson(count, model.config(), batchSize, length));
                if (options.runs(Section.STEP)) {
                    stepFigures("step", "default model " + shape, times.get("vanilla"), batchSize,
                            length, count, TARGET_MFU_DEFAULT);
                }
            }
            if (overhead) {
                overheadFigures(times);
            }
            if (fisher) {
                fisherFigures(times, batchSize);
            }
            if (inference) {
                inferenceFigures(classifier, times.get("evaluation"), batchSize, length);
                detail.addProperty("grad_mode_during_evaluation", gradMode[0]);
            }
            JsonObject perRound = new JsonObject();
            times.forEach((k, v) -> {
                JsonArray a = new JsonArray();
                v.forEach(a::add);
                perRound.add(k, a);
            });
            detail.add("seconds_per_round", perRound);
            details.put("default_model", detail);
        }
    }

    /** Runs every piece of work once per round, in order, the first {@code warmup} rounds untimed. */
    private Map<String, List<Double>> rounds(Map<String, Work> work, List<Batch> batches, String what,
            NDArray weight) {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        work.keySet().forEach(k -> times.put(k, new ArrayList<>()));
        int total = options.warmup() + options.rounds();
        for (int round = 0; round < total; round++) {
            Batch batch = batches.get(round % batches.size());
            StringBuilder line = new StringBuilder();
            for (Map.Entry<String, Work> w : work.entrySet()) {
                Engine.getInstance().setRandomSeed((int) options.seed() + round);
                long t0 = System.nanoTime();
                w.getValue().run(round, batch);
                Devices.synchronize(weight);
                double s = (System.nanoTime() - t0) / 1e9;
                if (round >= options.warmup()) {
                    times.get(w.getKey()).add(s);
                }
                line.append(line.isEmpty() ? "" : ", ").append(w.getKey())
                        .append(String.format(Locale.ROOT, " %.3f s", s));
            }
            if (gemmA != null) {
                double s = gemmOnce();
                if (round >= options.warmup()) {
                    gemmGflops.add(gemmFlops() / s / 1e9);
                }
                line.append(String.format(Locale.ROOT, ", gemm %.1f GFLOP/s", gemmFlops() / s / 1e9));
            }
            say(what + (round < options.warmup() ? " warm-up: "
                    : " round " + (round - options.warmup() + 1) + "/" + options.rounds() + ": ") + line);
        }
        return times;
    }

    /** Forward and backward of a training step (dropout on), gradients zeroed after, as the Fisher pass does. */
    static void forwardBackward(SequenceClassifier model, Batch batch) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ForwardBackward.run(() -> new ForwardBackward.Objective(
                    model.loss(model.forward(batch.inputs(), true).logits(), batch.labels())));
            for (Parameter p : model.namedParameters().values()) {
                try (NDArray g = p.array().getGradient()) {
                    g.muli(0f);
                }
            }
        }
    }

    private static boolean gradMode() {
        try {
            return ai.djl.pytorch.jni.JniUtils.isGradMode();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    private void stepFigures(String prefix, String what, List<Double> seconds, int batchSize, int length,
            FlopCount.Count count, double targetMfu) {
        double median = Stats.median(seconds);
        long tokens = (long) batchSize * length;
        put(Figure.of(prefix + ".seconds", what + ": s/step", "s", median, seconds));
        put(Figure.of(prefix + ".tokens_per_s", what + ": tokens/s", "tokens/s", tokens / median,
                Stats.rates(tokens, seconds)));
        put(Figure.of(prefix + ".gflop", what + ": model FLOPs per step", "GFLOP", count.total() / 1e9, List.of())
                .withNote(String.format(Locale.ROOT, "6·N·T + 12·L·h·S·T with N = %d non-embedding parameters, "
                        + "T = %d tokens: %.4g dense + %.4g attention", count.nonEmbeddingParameters(), count.tokens(),
                        count.dense(), count.attention())));
        List<Double> gflops = Stats.rates(count.total() / 1e9, seconds);
        put(Figure.of(prefix + ".gflops", what + ": model FLOP/s", "GFLOP/s", count.total() / 1e9 / median, gflops));
        mfuFigure(prefix + ".mfu", what + ": MFU (÷ GEMM peak)", count.total() / 1e9 / median, gflops,
                Figure.Target.atLeast(targetMfu));
    }

    private void overheadFigures(Map<String, List<Double>> times) {
        List<Double> vanilla = times.get("vanilla");
        double v = Stats.median(vanilla);
        put(Figure.of("overhead.vanilla_seconds", "vanilla step", "s", v, vanilla));
        String[][] methods = {{"childtuning-f", "childtuning_f", "ChildTuning-F"},
            {"childtuning-d", "childtuning_d", "ChildTuning-D"}};
        for (String[] m : methods) {
            List<Double> t = times.get(m[0]);
            put(Figure.of("overhead." + m[1] + "_seconds", m[2] + " step", "s", Stats.median(t), t));
        }
        for (String[] m : methods) {
            List<Double> t = times.get(m[0]);
            put(Figure.of("overhead." + m[1] + "_ratio", m[2] + " step ÷ vanilla step", "x",
                            Stats.ratio(Stats.median(t), v), Stats.pairedRatios(t, vanilla))
                    .withTarget(Figure.Target.atMost(m[0].endsWith("f") ? TARGET_F_RATIO : TARGET_D_RATIO))
                    .withNote("ratio of the medians; repeats are the per-round paired ratios"));
        }
    }

    private void fisherFigures(Map<String, List<Double>> times, int batchSize) {
        List<Double> fb = times.get("forward+backward");
        List<Double> fisher = times.get("fisher");
        List<Double> step = times.get("vanilla");
        double fbRate = batchSize / Stats.median(fb);
        double fisherRate = batchSize / Stats.median(fisher);
        put(Figure.of("fisher.forward_backward_examples_per_s", "training forward+backward", "examples/s", fbRate,
                Stats.rates(batchSize, fb)));
        put(Figure.of("fisher.examples_per_s", "Fisher pass", "examples/s", fisherRate,
                Stats.rates(batchSize, fisher)));
        put(Figure.of("fisher.ratio", "Fisher pass ÷ training forward+backward", "x", Stats.ratio(fisherRate, fbRate),
                        Stats.pairedRatios(fb, fisher))
                .withTarget(Figure.Target.atLeast(TARGET_FISHER_RATIO))
                .withNote("ratio of the median rates; repeats are the per-round paired ratios. The pass is timed "
                        + "one batch at a time, each paying its score allocation"));
        put(Figure.of("fisher.vs_step_ratio", "Fisher pass ÷ full training step", "x",
                Stats.ratio(fisherRate, batchSize / Stats.median(step)), Stats.pairedRatios(step, fisher)));
    }

    private void inferenceFigures(SequenceClassifier classifier, List<Double> seconds, int batchSize, int length) {
        double median = Stats.median(seconds);
        put(Figure.of("inference.examples_per_s", "evaluation " + batchSize + "×" + length + " (Evaluator)",
                "examples/s", batchSize / median, Stats.rates(batchSize, seconds)));
        FlopCount.Count count = FlopCount.inference(classifier, batchSize, length);
        List<Double> gflops = Stats.rates(count.total() / 1e9, seconds);
        put(Figure.of("inference.gflops", "evaluation model FLOP/s (2·N·T + 4·L·h·S·T)", "GFLOP/s",
                count.total() / 1e9 / median, gflops));
        mfuFigure("inference.mfu", "evaluation MFU", count.total() / 1e9 / median, gflops, null);
    }

    /** Model GFLOP/s over the run's GEMM peak, computed once every GEMM sample is in. */
    private void mfuFigure(String key, String label, double gflops, List<Double> repeats, Figure.Target target) {
        put(new Figure(key, label, "%", Double.NaN, List.of(), target, "needs the gemm section"));
        afterGemm.add(() -> {
            if (gemmGflops.isEmpty()) {
                return;
            }
            double peak = gemmPeak();
            put(new Figure(key, label, "%", Stats.ratio(gflops, peak),
                    repeats.stream().map(g -> Stats.ratio(g, peak)).toList(), target,
                    "median model FLOP/s ÷ the run's GEMM peak"));
        });
    }

    private static JsonObject flopJson(FlopCount.Count count, ModelConfig config, int batchSize, int length) {
        JsonObject o = new JsonObject();
        o.addProperty("formula", "6*N*T + 12*L*h*S*T");
        o.addProperty("non_embedding_parameters", count.nonEmbeddingParameters());
        o.addProperty("layers", config.numHiddenLayers());
        o.addProperty("hidden", config.hiddenSize());
        o.addProperty("batch", batchSize);
        o.addProperty("seq_length", length);
        o.addProperty("tokens", count.tokens());
        o.addProperty("dense_flops", count.dense());
        o.addProperty("attention_flops", count.attention());
        o.addProperty("total_flops", count.total());
        return o;
    }

    // ------------------------------------------------------------------------------------ profile

    /**
     * Vanilla steps of the default model under PyTorch's profiler: each kind of operator's share
     * of the step, what ran outside the engine, and how fast the matrix products ran inside the
     * step (the model's FLOPs ÷ their time, to hold against the GEMM peak).
     */
    private void profile(PretrainedModel model) {
        SequenceClassifier classifier = model.classifier();
        int batchSize = options.batchSize();
        int length = options.seqLength();
        String shape = batchSize + "×" + length;
        int steps = options.rounds();
        Path trace = null;
        try (NDManager manager = model.manager().newSubManager();
                AdamW optimizer = AdamW.builder(classifier.namedParameters(), model.manager()).build()) {
            List<Batch> batches = syntheticBatches(model.config(), manager, batchSize, length, 4, options.seed());
            OptimizerStep vanilla = new OptimizerStep(classifier, optimizer, GradientMask.NONE, MAX_GRAD_NORM);
            for (int i = 0; i < options.warmup(); i++) {
                vanilla.run(List.of(batches.get(i % batches.size())), i, LEARNING_RATE, true);
            }
            trace = Files.createTempFile("childtune-profile", ".json");
            say("profile: " + steps + " vanilla steps of " + options.modelName() + " at " + shape
                    + " under PyTorch's profiler");
            ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                vanilla.run(List.of(batches.get(i % batches.size())), i, LEARNING_RATE, true);
            }
            Devices.synchronize(anyWeight(model));
            double wallMillis = (System.nanoTime() - t0) / 1e6 / steps;
            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
            OperatorProfile profile = OperatorProfile.read(trace);
            profileFigures(profile, wallMillis, steps, FlopCount.training(classifier, batchSize, length), shape);
        } catch (IOException | LinkageError | RuntimeException e) {
            skip(Section.PROFILE, "the profiler did not run: " + e.getMessage());
        } finally {
            if (trace != null) {
                trace.toFile().delete();
            }
        }
    }

    private void profileFigures(OperatorProfile profile, double wallMillis, int steps, FlopCount.Count count,
            String shape) {
        String what = "profiled step " + shape;
        put(Figure.of("profile.step_ms", what + ": wall time", "ms", wallMillis, List.of())
                .withNote("under the profiler, which adds a little per operator"));
        double engine = profile.engineMillis() / steps;
        profile.byKind().forEach((kind, millis) -> put(Figure.of("profile." + kind.replaceAll("\\W+", "_") + "_share",
                what + ": " + kind, "%", millis / steps / wallMillis, List.of())));
        put(Figure.of("profile.outside_engine_share", what + ": outside the engine", "%",
                Math.max(0, wallMillis - engine) / wallMillis, List.of())
                .withNote("Java between operators: the fused optimizer pass, batches, JNI"));
        double matrixMillis = profile.byKind().get("matrix products") / steps;
        put(Figure.of("profile.matrix_products_gflops", what + ": model FLOPs ÷ time in matrix products", "GFLOP/s",
                count.total() / 1e9 / (matrixMillis / 1000), List.of())
                .withNote("the products' own rate inside the step, to compare with the GEMM peak"));
        JsonArray top = new JsonArray();
        profile.operators().stream().limit(30).forEach(o -> {
            JsonObject row = new JsonObject();
            row.addProperty("operator", o.name());
            row.addProperty("kind", o.kind());
            row.addProperty("self_ms_per_step", o.selfMillis() / steps);
            row.addProperty("calls_per_step", (double) o.calls() / steps);
            top.add(row);
        });
        JsonObject detail = new JsonObject();
        detail.addProperty("steps", steps);
        detail.addProperty("wall_ms_per_step", wallMillis);
        detail.addProperty("engine_ms_per_step", engine);
        detail.add("top_operators", top);
        details.put("profile", detail);
        profile.operators().stream().limit(12).forEach(o -> say(String.format(Locale.ROOT,
                "profile: %-40s %-28s %8.1f ms/step %6.1f calls/step", o.name(), o.kind(), o.selfMillis() / steps,
                (double) o.calls() / steps)));
    }

    // ---------------------------------------------------------------------------------- BERT-base

    private void base() {
        int batchSize = options.baseBatchSize();
        int length = options.baseSeqLength();
        ModelConfig config = options.base();
        String shape = batchSize + "×" + length;
        say(String.format(Locale.ROOT, "BERT-base geometry (%d layers, %d wide, %d heads, FFN %d): random weights",
                config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads(), config.intermediateSize()));
        try (PretrainedModel model = PretrainedModel.initialized(config, options.seed(), options.device());
                NDManager manager = model.manager().newSubManager();
                AdamW optimizer = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            List<Batch> batches = syntheticBatches(config, manager, batchSize, length, 4, options.seed());
            OptimizerStep vanilla = new OptimizerStep(model.classifier(), optimizer, GradientMask.NONE, MAX_GRAD_NORM);
            Map<String, Work> work = new LinkedHashMap<>();
            work.put("vanilla", (round, batch) -> vanilla.run(List.of(batch), round, LEARNING_RATE, true));
            Map<String, List<Double>> times = rounds(work, batches, "BERT-base " + shape, anyWeight(model));
            FlopCount.Count count = FlopCount.training(model.classifier(), batchSize, length);
            stepFigures("base", "BERT-base " + shape, times.get("vanilla"), batchSize, length, count,
                    TARGET_MFU_BASE);
            JsonObject detail = new JsonObject();
            detail.add("training_flops", flopJson(count, config, batchSize, length));
            details.put("base", detail);
        }
    }

    // ----------------------------------------------------------------------------------- padding

    private void padding(PretrainedModel model) {
        if (options.rteFolder() == null) {
            skip(Section.PADDING, "no RTE data: pass --data DIR (the GLUE RTE folder with train.tsv and dev.tsv) "
                    + "or set GLUE_DIR");
            return;
        }
        TaskData data;
        TextTokenizer tokenizer;
        try {
            data = GlueTasks.byName("rte").read(options.rteFolder());
            tokenizer = TextTokenizer.load(options.modelFolder(), options.seqLength());
        } catch (RuntimeException e) {
            skip(Section.PADDING, e.getMessage());
            return;
        }
        int batchSize = options.batchSize();
        int length = options.seqLength();
        try (tokenizer;
                AdamW optimizer = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            say("padding: tokenizing RTE train (" + data.train().size() + " examples, max " + length + " tokens)");
            EncodedDataset dataset = EncodedDataset.encode(data.train(), tokenizer, false);
            Padding pad = Batcher.padding(tokenizer, model.config());
            Batcher dynamic = new Batcher(dataset, batchSize, pad, 0, true);
            Batcher padded = new Batcher(dataset, batchSize, pad, length, false);
            List<int[]> dynamicOrder = dynamic.trainingOrder(options.seed(), 0);
            List<int[]> paddedOrder = padded.trainingOrder(options.seed(), 0);
            int n = dynamicOrder.size();
            long dynamicTokens = 0;
            long paddedTokens = 0;
            for (int b = 0; b < n; b++) {
                dynamicTokens += (long) longest(dataset, dynamicOrder.get(b), 0) * dynamicOrder.get(b).length;
                paddedTokens += (long) longest(dataset, paddedOrder.get(b), length) * paddedOrder.get(b).length;
            }
            int k = options.paddingBatches() == 0 ? n : Math.min(options.paddingBatches(), n);
            int[] picks = evenlySpaced(n, k);
            OptimizerStep step = new OptimizerStep(model.classifier(), optimizer, GradientMask.NONE, MAX_GRAD_NORM);
            for (int w = 0; w < options.warmup(); w++) {
                timedStep(model, step, dynamic, dynamicOrder.get(picks[0]), w);
                timedStep(model, step, padded, paddedOrder.get(picks[0]), w);
            }
            List<Double> dynamicSeconds = new ArrayList<>();
            List<Double> paddedSeconds = new ArrayList<>();
            JsonArray batches = new JsonArray();
            for (int j = 0; j < k; j++) {
                int[] dynamicBatch = dynamicOrder.get(picks[j]);
                int[] paddedBatch = paddedOrder.get(picks[j]);
                double d = timedStep(model, step, dynamic, dynamicBatch, j);
                double p = timedStep(model, step, padded, paddedBatch, j);
                dynamicSeconds.add(d);
                paddedSeconds.add(p);
                JsonObject o = new JsonObject();
                o.addProperty("index", picks[j]);
                o.addProperty("dynamic_length", longest(dataset, dynamicBatch, 0));
                o.addProperty("dynamic_seconds", d);
                o.addProperty("padded_length", longest(dataset, paddedBatch, length));
                o.addProperty("padded_seconds", p);
                batches.add(o);
                say(String.format(Locale.ROOT, "padding batch %d/%d (#%d of %d): dynamic %.3f s (%d tokens long), "
                        + "padded %.3f s", j + 1, k, picks[j] + 1, n, d, longest(dataset, dynamicBatch, 0), p));
            }
            double scale = (double) n / k;
            double dynamicEpoch = Stats.sum(dynamicSeconds) * scale;
            double paddedEpoch = Stats.sum(paddedSeconds) * scale;
            String how = k == n ? "the whole epoch, every batch timed once"
                    : "the sum over " + k + " evenly spaced batches of the epoch's " + n + ", times " + n + "/" + k;
            put(Figure.of("padding.dynamic_epoch_seconds", "RTE epoch, dynamic padding + length grouping", "s",
                    dynamicEpoch, dynamicSeconds).withNote(how + "; repeats are the per-batch step times"));
            put(Figure.of("padding.padded_epoch_seconds", "RTE epoch, padded to " + length, "s", paddedEpoch,
                    paddedSeconds).withNote(how + "; repeats are the per-batch step times"));
            put(Figure.of("padding.ratio", "RTE epoch: dynamic ÷ padded to " + length, "x",
                            Stats.ratio(dynamicEpoch, paddedEpoch), Stats.pairedRatios(dynamicSeconds, paddedSeconds))
                    .withTarget(Figure.Target.atMost(TARGET_PADDING_RATIO))
                    .withNote("ratio of the epoch estimates; repeats are the per-batch paired ratios"));
            put(Figure.of("padding.token_ratio", "RTE epoch tokens: dynamic ÷ padded (exact)", "x",
                    Stats.ratio(dynamicTokens, paddedTokens), List.of()));
            JsonObject detail = new JsonObject();
            detail.addProperty("examples", dataset.size());
            detail.addProperty("batches_per_epoch", n);
            detail.addProperty("batches_timed", k);
            detail.addProperty("dynamic_tokens", dynamicTokens);
            detail.addProperty("padded_tokens", paddedTokens);
            detail.add("batches", batches);
            details.put("padding", detail);
        }
    }

    private double timedStep(PretrainedModel model, OptimizerStep step, Batcher batcher, int[] indices, int index) {
        try (NDManager manager = model.manager().newSubManager()) {
            Batch batch = batcher.batch(indices, manager);
            Engine.getInstance().setRandomSeed((int) options.seed() + index);
            long t0 = System.nanoTime();
            step.run(List.of(batch), index, LEARNING_RATE, true);
            Devices.synchronize(anyWeight(model));
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** A weight the step updates last or nearly: once it is readable, the device has finished the step. */
    private static NDArray anyWeight(PretrainedModel model) {
        var parameters = model.classifier().namedParameters().values();
        return parameters.stream().reduce((first, second) -> second).orElseThrow().array();
    }

    private static int longest(EncodedDataset dataset, int[] indices, int atLeast) {
        int m = atLeast;
        for (int i : indices) {
            m = Math.max(m, dataset.get(i).length());
        }
        return m;
    }

    /** {@code k} indices spread evenly over {@code 0..n-1}: the middle of each of k equal parts. */
    static int[] evenlySpaced(int n, int k) {
        int[] out = new int[k];
        for (int j = 0; j < k; j++) {
            out[j] = (int) Math.min(n - 1, Math.floor((j + 0.5) * n / k));
        }
        return out;
    }

    private void skip(Section section, String why) {
        skipped.put(section.id(), why);
        say("skipped " + section.id() + ": " + why);
    }

    // ------------------------------------------------------------------------------------ memory

    private void memory() {
        if (!Devices.isHost(options.device())) {
            skip(Section.MEMORY, "the memory figure is the host's resident memory of a CPU run; not measured for "
                    + options.device());
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xmx") || arg.startsWith("-Xms") || arg.startsWith("-D")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
                options.modelFolder().toString(), Integer.toString(options.batchSize()),
                Integer.toString(options.seqLength()), Integer.toString(options.memorySteps()),
                Long.toString(options.seed())));
        say("memory: a child JVM loads " + options.modelName() + " and trains 1 + " + options.memorySteps()
                + " steps at " + options.batchSize() + "×" + options.seqLength());
        String output;
        int exit;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            output = readAll(process.getInputStream());
            if (!process.waitFor(1, TimeUnit.HOURS)) {
                process.destroyForcibly();
            }
            exit = process.exitValue();
        } catch (IOException e) {
            skip(Section.MEMORY, "cannot start a child JVM: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            skip(Section.MEMORY, "interrupted");
            return;
        }
        MemoryProbe.Result result = MemoryProbe.Result.parse(output);
        if (exit != 0 || result == null) {
            List<String> lines = output.lines().toList();
            skip(Section.MEMORY, "the child JVM failed (exit " + exit + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            return;
        }
        List<Double> steps = Arrays.stream(result.stepSeconds()).boxed().toList();
        put(Figure.of("memory.peak_rss_mib", "peak RSS, default model training "
                                + options.batchSize() + "×" + options.seqLength(), "MiB", result.peakKiB() / 1024.0,
                        List.of())
                .withTarget(Figure.Target.atMost(TARGET_MEMORY_MIB))
                .withNote("VmHWM of a child JVM that loaded the model and ran " + result.stepSeconds().length
                        + " training steps (one measurement, not a median)"));
        put(Figure.of("memory.after_load_mib", "RSS after loading it (same child JVM)", "MiB",
                result.afterLoadKiB() / 1024.0, List.of()));
        JsonObject detail = new JsonObject();
        detail.addProperty("vmhwm_kib", result.peakKiB());
        detail.addProperty("vmhwm_after_load_kib", result.afterLoadKiB());
        detail.addProperty("java_heap_committed_kib", result.heapCommittedKiB());
        detail.addProperty("java_heap_used_kib", result.heapUsedKiB());
        JsonArray s = new JsonArray();
        steps.forEach(s::add);
        detail.add("child_step_seconds", s);
        JsonArray c = new JsonArray();
        command.forEach(c::add);
        detail.add("child_command", c);
        details.put("memory", detail);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------- batches

    /** {@code count} batches of random token ids, every position real (mask all ones), random labels. */
    static List<Batch> syntheticBatches(ModelConfig config, NDManager manager, int batchSize, int length, int count,
            long seed) {
        Random random = new Random(seed);
        int vocab = config.vocabSize();
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            long[][] ids = new long[batchSize][length];
            long[][] mask = new long[batchSize][length];
            long[][] types = new long[batchSize][length];
            long[] labels = new long[batchSize];
            float[] targets = new float[batchSize];
            for (int i = 0; i < batchSize; i++) {
                for (int j = 0; j < length; j++) {
                    ids[i][j] = 1 + random.nextInt(vocab - 1);
                    types[i][j] = j < length / 2 ? 0 : Math.min(1, config.typeVocabSize() - 1);
                }
                Arrays.fill(mask[i], 1L);
                labels[i] = random.nextInt(Math.max(1, config.numLabels()));
                targets[i] = random.nextFloat();
            }
            batches.add(new Batch(new ModelInputs(manager.create(ids), manager.create(mask), manager.create(types)),
                    config.isRegression() ? manager.create(targets) : manager.create(labels)));
        }
        return batches;
    }

    /** {@code size} encoded examples of {@code length} random ids (the evaluation's input). */
    static EncodedDataset syntheticDataset(ModelConfig config, int size, int length, long seed) {
        Random random = new Random(seed);
        List<EncodedDataset.Item> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long[] ids = new long[length];
            long[] types = new long[length];
            for (int j = 0; j < length; j++) {
                ids[j] = 1 + random.nextInt(config.vocabSize() - 1);
            }
            items.add(new EncodedDataset.Item(ids, types, random.nextInt(Math.max(1, config.numLabels())),
                    random.nextFloat()));
        }
        return new EncodedDataset(items, config.isRegression());
    }
}
