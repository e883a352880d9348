package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.tuning.FisherInformation;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How ChildTuning-D estimates its Fisher information; the defaults are the reference's. */
final class FisherOptions {
    @Option(names = "--fisher-estimator", defaultValue = "empirical", paramLabel = "KIND",
            description = "empirical (the reference: batch gradients on gold labels), per-example (the paper's "
                    + "formula) or sampled (labels drawn from the model's prediction).")
    String estimator;

    @Option(names = "--fisher-samples", defaultValue = "0", paramLabel = "N",
            description = "Estimate on the first N examples of the shuffled pass (0: all).")
    int samples;

    @Option(names = "--mask-scope", defaultValue = "reference", paramLabel = "SCOPE",
            description = "Which tensors ChildTuning-D may mask: reference (names containing 'layer'), encoder, all, "
                    + "or a regular expression.")
    String scope;

    FisherInformation.Options toOptions() {
        FisherInformation.Estimator kind;
        try {
            kind = FisherInformation.Estimator.valueOf(estimator.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ChildTuneException("--fisher-estimator: expected empirical, per-example or sampled, got '"
                    + estimator + "'");
        }
        if (samples < 0) {
            throw new ChildTuneException("--fisher-samples: expected 0 or more, got " + samples);
        }
        return new FisherInformation.Options(kind, samples, FisherInformation.scope(scope));
    }
}
