package dev.childtune.tuning;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The fine-tuning methods a run can use, by their command-line names. */
public enum Method {
    VANILLA("vanilla"), CHILDTUNING_F("childtuning-f"), CHILDTUNING_D("childtuning-d");

    /** Where a ChildTuning-D run keeps its child network. */
    public static final String MASK_FILE = "child_mask.safetensors";

    /** The reserve probabilities the authors reported (p_F, p_D), by GLUE task; 0.3 elsewhere. */
    private static final Map<String, double[]> REPORTED_P = Map.of(
            "cola", new double[] {0.2, 0.2}, "rte", new double[] {0.3, 0.3},
            "mrpc", new double[] {0.4, 0.1}, "stsb", new double[] {0.2, 0.2});

    private final String cliName;

    Method(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Method fromName(String name) {
        for (Method m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new ChildTuneException("unknown method '" + name + "' (expected "
                + Arrays.stream(values()).map(Method::cliName).collect(Collectors.joining(", ")) + ")");
    }

    /** The spec's p for this method on a task (CoLA, RTE, MRPC, STS-B), else 0.3. */
    public double reportedReserveP(String task) {
        double[] p = REPORTED_P.get(task.toLowerCase(Locale.ROOT).replace("-", ""));
        return p == null ? 0.3 : this == CHILDTUNING_D ? p[1] : p[0];
    }

    /**
     * The factory of this method's mask.
     *
     * @param reserveP p_F or p_D
     * @param savedMask a child mask to reuse (ChildTuning-D), or null to estimate one
     * @param fisher how ChildTuning-D estimates its Fisher information ({@link FisherInformation#REFERENCE})
     */
    public MaskFactory factory(double reserveP, Path savedMask, FisherInformation.Options fisher) {
        return switch (this) {
            case VANILLA -> MaskFactory.of(GradientMask.NONE);
            case CHILDTUNING_F -> context -> new ChildTuningF(reserveP, context.seed());
            case CHILDTUNING_D -> context -> new ChildTuningD(childMask(reserveP, savedMask, fisher, context));
        };
    }

    private static ChildMask childMask(double reserveP, Path savedMask, FisherInformation.Options options,
            MaskFactory.Context context) {
        Path ownMask = context.runFolder().resolve(MASK_FILE);
        Path reuse = savedMask != null ? savedMask : context.resume() && Files.exists(ownMask) ? ownMask : null;
        if (reuse != null) {
            context.notice().accept("ChildTuning-D: using the child network in " + reuse);
            return ChildMask.load(reuse, context.manager());
        }
        long started = System.nanoTime();
        try (NDManager pass = context.manager().newSubManager()) {
            Engine.getInstance().setRandomSeed((int) context.seed());
            int[] reported = {0};
            FisherInformation.Estimate fisher = FisherInformation.estimate(context.model(),
                    context.trainingPass().apply(pass), context.maxGradNorm(), options, true, context.seed(), pass,
                    done -> {
                        int percent = (int) (done * 100);
                        if (percent / 20 > reported[0] / 20) {
                            reported[0] = percent;
                            double elapsed = (System.nanoTime() - started) / 1e9;
                            context.notice().accept(String.format(Locale.ROOT,
                                    "ChildTuning-D: Fisher pass %d%% (%.0f s, about %.0f s left)", percent, elapsed,
                                    elapsed / done * (1 - done)));
                        }
                    });
            double fisherSeconds = (System.nanoTime() - started) / 1e9;
            long maskStarted = System.nanoTime();
            ChildMask mask = ChildMask.fromFisher(fisher.scores(), reserveP, context.manager());
            double maskSeconds = (System.nanoTime() - maskStarted) / 1e9;
            mask.recordEstimation(fisherSeconds, fisher.batchLosses().length, maskSeconds);
            mask.save(ownMask, fisher.scores());
            JsonObject summary = mask.summary();
            context.notice().accept(String.format(Locale.ROOT,
                    "ChildTuning-D: Fisher pass %.1f s over %d batches, threshold %.3e (%.2f s), %d of %d weights kept "
                            + "(%.4f) -> %s",
                    fisherSeconds, fisher.batchLosses().length, mask.threshold(), maskSeconds,
                    summary.get("kept").getAsLong(), summary.get("eligible").getAsLong(),
                    summary.get("kept_fraction").getAsDouble(), ownMask));
            return mask;
        }
    }
}
