package dev.childtune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.childtune.model.ModelInputs;
import dev.childtune.model.PretrainedModel;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import dev.childtune.tuning.ChildMask;
import dev.childtune.tuning.ChildTuningD;
import dev.childtune.tuning.ChildTuningF;
import dev.childtune.tuning.FisherInformation;
import dev.childtune.tuning.GradientMask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Measures what ChildTuning costs on top of plain fine-tuning: the time of a full optimizer step
 * (forward, backward, clipping, mask, AdamW) with no mask, ChildTuning-F and ChildTuning-D, and
 * the Fisher pass per example against a training step per example. Methods are interleaved round
 * by round, so drift of the machine's speed hits them alike; medians are reported.
 */
public final class MethodBenchmark {
    private MethodBenchmark() {}

    /** Median seconds per step by method, and the Fisher pass's seconds per batch. */
    public record Report(Map<String, Double> medianStepSeconds, double fisherSecondsPerBatch, int batchSize,
            int sequenceLength, int rounds) {
        /** A method's step time relative to vanilla. */
        public double ratio(String method) {
            return medianStepSeconds.get(method) / medianStepSeconds.get("vanilla");
        }

        /** Fisher pass speed per example relative to a vanilla training step (≥ 0.9 is the target). */
        public double fisherSpeedRatio() {
            return medianStepSeconds.get("vanilla") / fisherSecondsPerBatch;
        }
    }

    /**
     * @param rounds timed steps per method (after one warm-up round)
     */
    public static Report run(PretrainedModel model, int batchSize, int sequenceLength, int rounds, long seed) {
        try (NDManager manager = model.manager().newSubManager();
                AdamW optimizer = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
            List<Batch> batches = syntheticBatches(model, manager, batchSize, sequenceLength, 4, seed);
            // Warm up (first calls load kernels), then time the Fisher pass.
            new OptimizerStep(model.classifier(), optimizer, GradientMask.NONE, 1.0).run(batches.subList(0, 1), 0, 0, true);
            long started = System.nanoTime();
            FisherInformation.Estimate fisher = FisherInformation.estimate(model.classifier(), batches, 1.0,
                    FisherInformation.REFERENCE_SCOPE, true, manager);
            double fisherSecondsPerBatch = (System.nanoTime() - started) / 1e9 / batches.size();
            Map<String, GradientMask> masks = new LinkedHashMap<>();
            masks.put("vanilla", GradientMask.NONE);
            masks.put("childtuning-f", new ChildTuningF(0.3, seed));
            masks.put("childtuning-d", new ChildTuningD(ChildMask.fromFisher(fisher.scores(), 0.3, manager)));
            Map<String, List<Double>> times = new LinkedHashMap<>();
            masks.keySet().forEach(k -> times.put(k, new ArrayList<>()));
            for (int round = 0; round <= rounds; round++) {
                for (Map.Entry<String, GradientMask> m : masks.entrySet()) {
                    OptimizerStep step = new OptimizerStep(model.classifier(), optimizer, m.getValue(), 1.0);
                    Engine.getInstance().setRandomSeed((int) seed + round);
                    long t0 = System.nanoTime();
                    step.run(List.of(batches.get(round % batches.size())), round, 1e-5, true);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (round > 0) {
                        times.get(m.getKey()).add(seconds);
                    }
                }
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            times.forEach((k, v) -> medians.put(k, median(v)));
            return new Report(medians, fisherSecondsPerBatch, batchSize, sequenceLength, rounds);
        }
    }

    private static List<Batch> syntheticBatches(PretrainedModel model, NDManager manager, int batchSize, int length,
            int count, long seed) {
        Random random = new Random(seed);
        int vocab = model.config().vocabSize();
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            long[][] ids = new long[batchSize][length];
            long[][] mask = new long[batchSize][length];
            long[][] types = new long[batchSize][length];
            long[] labels = new long[batchSize];
            for (int i = 0; i < batchSize; i++) {
                for (int j = 0; j < length; j++) {
                    ids[i][j] = 1 + random.nextInt(vocab - 1);
                }
                Arrays.fill(mask[i], 1L);
                labels[i] = random.nextInt(Math.max(1, model.config().numLabels()));
            }
            batches.add(new Batch(new ModelInputs(manager.create(ids), manager.create(mask), manager.create(types)),
                    model.config().isRegression() ? manager.create(new float[batchSize]) : manager.create(labels)));
        }
        return batches;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
