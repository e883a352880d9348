package dev.childtune.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.childtune.model.PretrainedModel;
import dev.childtune.train.AdamW;
import dev.childtune.train.Batch;
import dev.childtune.train.OptimizerStep;
import dev.childtune.tuning.GradientMask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory section's child process: a fresh JVM that loads a model and trains it on synthetic
 * batches (vanilla steps: dropout, clipping, AdamW), so that its peak resident memory (VmHWM)
 * belongs to that training alone. It answers on stdout, one {@code key value} per line, the only
 * output of this library that is not through a caller.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    /** The process's peak resident set (VmHWM) in KiB, -1 where /proc/self/status is absent. */
    public static long peakResidentKiB() {
        return statusField("VmHWM:");
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** What the child reported. */
    public record Result(long afterLoadKiB, long peakKiB, long heapCommittedKiB, long heapUsedKiB,
            double[] stepSeconds) {
        /** Parses the child's output; null when it lacks the final peak. */
        public static Result parse(String output) {
            long afterLoad = -1;
            long peak = -1;
            long committed = -1;
            long used = -1;
            List<Double> steps = new ArrayList<>();
            for (String line : output.lines().toList()) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length != 2) {
                    continue;
                }
                try {
                    switch (parts[0]) {
                        case "after_load_kib" -> afterLoad = Long.parseLong(parts[1]);
                        case "vmhwm_kib" -> peak = Long.parseLong(parts[1]);
                        case "java_heap_committed_kib" -> committed = Long.parseLong(parts[1]);
                        case "java_heap_used_kib" -> used = Long.parseLong(parts[1]);
                        case "step_seconds" -> steps.add(Double.parseDouble(parts[1]));
                        default -> { }
                    }
                } catch (NumberFormatException e) {
                    // a stray line of the engine's
                }
            }
            return peak < 0 ? null : new Result(afterLoad, peak, committed, used, steps.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** {@code MODEL_FOLDER BATCH_SIZE SEQ_LENGTH STEPS SEED}: one warm-up step, then STEPS steps. */
    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: MemoryProbe MODEL_FOLDER BATCH_SIZE SEQ_LENGTH STEPS SEED");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        int batchSize = Integer.parseInt(args[1]);
        int length = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        try (PretrainedModel model = PretrainedModel.load(folder, seed)) {
            System.out.println("after_load_kib " + peakResidentKiB());
            try (NDManager manager = model.manager().newSubManager();
                    AdamW optimizer = AdamW.builder(model.classifier().namedParameters(), model.manager()).build()) {
                List<Batch> batches = PerformanceBenchmark.syntheticBatches(model.config(), manager, batchSize, length,
                        2, seed);
                OptimizerStep step = new OptimizerStep(model.classifier(), optimizer, GradientMask.NONE,
                        PerformanceBenchmark.MAX_GRAD_NORM);
                for (int s = 0; s <= steps; s++) {
                    Engine.getInstance().setRandomSeed((int) seed + s);
                    long t0 = System.nanoTime();
                    step.run(List.of(batches.get(s % batches.size())), s, PerformanceBenchmark.LEARNING_RATE, true);
                    if (s > 0) {
                        System.out.println("step_seconds " + (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
            Runtime runtime = Runtime.getRuntime();
            System.out.println("java_heap_committed_kib " + runtime.totalMemory() / 1024);
            System.out.println("java_heap_used_kib " + (runtime.totalMemory() - runtime.freeMemory()) / 1024);
            System.out.println("vmhwm_kib " + peakResidentKiB());
        }
        System.exit(0);
    }
}
