package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.childtune.ChildTuneException;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Parameter;
import dev.childtune.model.nn.Scalars;
import dev.childtune.train.Batch;
import dev.childtune.train.Batcher;
import dev.childtune.train.ForwardBackward;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleConsumer;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The reference estimator of ChildTuning-D's Fisher information: for each batch, the gradient of
 * the batch-mean loss (the model's own supervised loss on the gold labels); each eligible tensor's
 * gradient clipped on its own to L2 norm ≤ maxGradNorm; {@code F += g² / N_batches}. An empirical
 * Fisher of mini-batch gradients, as the released code computes it (not the per-example form
 * written in the paper).
 */
public final class FisherInformation {
    private FisherInformation() {}

    /** Hugging Face names that ChildTuning may mask: those containing the lower-case {@code layer}. */
    public static final Predicate<String> REFERENCE_SCOPE = name -> name.contains("layer");

    /**
     * @param scores the Fisher score of every element of every eligible tensor, by parameter name
     * @param batchLosses the batch-mean loss of each batch, in order
     */
    public record Estimate(Map<String, NDArray> scores, float[] batchLosses) {}

    /** How the squared gradients are taken. */
    public enum Estimator {
        /** The reference: gradients of batch-mean losses on the gold labels. */
        EMPIRICAL,
        /** The paper's formula: one gradient per example, on its gold label. */
        PER_EXAMPLE,
        /** The "true" Fisher: batch gradients on labels drawn from the model's own prediction. */
        SAMPLED
    }

    /**
     * Options beyond the reference, which {@link #REFERENCE} holds.
     *
     * @param samples use only the first this many examples of the pass; 0 for all
     * @param scope which parameter names are eligible
     */
    public record Options(Estimator estimator, int samples, Predicate<String> scope) {}

    /** The released code's choices: empirical Fisher over the whole pass, names containing {@code layer}. */
    public static final Options REFERENCE = new Options(Estimator.EMPIRICAL, 0, REFERENCE_SCOPE);

    /**
     * Parses a mask scope: {@code reference} (names containing {@code layer}), {@code encoder}
     * (the encoder blocks: {@code encoder.} or {@code transformer.layer}), {@code all}, or a regular
     * expression found in the names.
     */
    public static Predicate<String> scope(String spec) {
        return switch (spec) {
            case "reference" -> REFERENCE_SCOPE;
            case "encoder" -> name -> name.contains("encoder.") || name.contains("transformer.layer");
            case "all" -> name -> true;
            default -> {
                try {
                    Pattern pattern = Pattern.compile(spec);
                    yield name -> pattern.matcher(name).find();
                } catch (PatternSyntaxException e) {
                    throw new ChildTuneException("--mask-scope: '" + spec
                            + "' is neither reference, encoder, all nor a valid regular expression: " + e.getDescription());
                }
            }
        };
    }

    /** The reference estimator over the eligible tensors. */
    public static Estimate estimate(SequenceClassifier model, List<Batch> batches, double maxGradNorm,
            Predicate<String> eligible, boolean dropout, NDManager manager) {
        return estimate(model, batches, maxGradNorm, new Options(Estimator.EMPIRICAL, 0, eligible), dropout, 0, manager,
                done -> { });
    }

    /**
     * @param passBatches one pass over the training set, in the order to use (a {@link Batcher.OnDemand} is
     *     built a batch at a time)
     * @param dropout whether dropout is active (the reference: yes)
     * @param seed draws the labels of the sampled estimator
     * @param manager where the scores live
     * @param progress told the fraction of the pass done after each batch (or example)
     */
    public static Estimate estimate(SequenceClassifier model, List<Batch> passBatches, double maxGradNorm,
            Options options, boolean dropout, long seed, NDManager manager, DoubleConsumer progress) {
        Predicate<String> eligible = options.scope();
        IntUnaryOperator examples = passBatches instanceof Batcher.OnDemand onDemand
                ? onDemand::examples : batch -> passBatches.get(batch).size();
        List<Unit> units = units(passBatches.size(), examples, options);
        Random labelDraws = new Random(seed);
        if (options.estimator() == Estimator.SAMPLED && model.config().isRegression()) {
            throw new ChildTuneException(
                    "the sampled Fisher estimator needs a classification task (this one is a regression)");
        }
        Map<String, Parameter> parameters = model.namedParameters();
        parameters.values().forEach(p -> p.array().setRequiresGradient(true));
        Map<String, NDArray> scores = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            if (eligible.test(name)) {
                scores.put(name, manager.zeros(p.shape()));
            }
        });
        float[] losses = new float[units.size()];
        float perUnit = 1f / units.size();
        int u = 0;
        while (u < units.size()) {
            int batchIndex = units.get(u).batch();
            try (NDScope batchScope = new NDScope()) { // a batch built on demand dies with it
                batchScope.suppressNotUsedWarning();
                Batch batch = passBatches.get(batchIndex);
                for (; u < units.size() && units.get(u).batch() == batchIndex; u++) {
                    Unit unit = units.get(u);
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        Batch rows = unit.from() == 0 && unit.to() == batch.size() ? batch
                                : batch.rows(unit.from(), unit.to());
                        losses[u] = ForwardBackward.run(() -> {
                            NDArray logits = model.forward(rows.inputs(), dropout).logits();
                            NDArray labels = options.estimator() == Estimator.SAMPLED
                                    ? sampleLabels(logits, labelDraws) : rows.labels();
                            return new ForwardBackward.Objective(model.loss(logits, labels));
                        });
                        addSquaredGradients(parameters, scores, maxGradNorm, perUnit);
                    }
                    progress.accept((u + 1.0) / units.size());
                }
            }
        }
        return new Estimate(scores, losses);
    }

    /**
     * {@code score += clip(g)² · weight} for each eligible tensor, each gradient clipped on its own to
     * L2 norm ≤ maxGradNorm; every gradient is zeroed after, so the next unit starts from zero.
     */
    private static void addSquaredGradients(Map<String, Parameter> parameters, Map<String, NDArray> scores,
            double maxGradNorm, float weight) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            try (NDArray g = e.getValue().array().getGradient()) {
                NDArray score = scores.get(e.getKey());
                if (score != null) {
                    double norm = g.norm().getFloat();
                    double coefficient = Math.min(1.0, maxGradNorm / (norm + 1e-6));
                    NDArray clipped = g.mul(Scalars.constant(g.getManager(), coefficient));
                    score.addi(clipped.mul(clipped).muli(weight));
                }
                g.muli(0f);
            }
        }
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of pass batch {@code batch}: one squared gradient. */
    private record Unit(int batch, int from, int to) {}

    /** The units whose gradients are squared: whole batches, or single examples, cut to {@code samples}. */
    private static List<Unit> units(int batches, IntUnaryOperator examples, Options options) {
        int limit = options.samples() > 0 ? options.samples() : Integer.MAX_VALUE;
        List<Unit> units = new ArrayList<>();
        int taken = 0;
        for (int batch = 0; batch < batches && taken < limit; batch++) {
            int keep = Math.min(examples.applyAsInt(batch), limit - taken);
            if (options.estimator() == Estimator.PER_EXAMPLE) {
                for (int i = 0; i < keep; i++) {
                    units.add(new Unit(batch, i, i + 1));
                }
            } else {
                units.add(new Unit(batch, 0, keep));
            }
            taken += keep;
        }
        return units;
    }

    /** One label per row, drawn from softmax(logits) with the given generator. */
    private static NDArray sampleLabels(NDArray logits, Random random) {
        float[] probabilities = logits.stopGradient().softmax(-1).toFloatArray();
        int classes = Math.toIntExact(logits.getShape().get(1));
        long[] labels = new long[probabilities.length / classes];
        for (int row = 0; row < labels.length; row++) {
            double u = random.nextDouble();
            int c = 0;
            for (double cumulative = probabilities[row * classes]; u > cumulative && c < classes - 1; ) {
                cumulative += probabilities[row * classes + ++c];
            }
            labels[row] = c;
        }
        return logits.getManager().create(labels);
    }
}
