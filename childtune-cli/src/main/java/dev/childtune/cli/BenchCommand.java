package dev.childtune.cli;

import dev.childtune.bench.MethodBenchmark;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.model.PretrainedModel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune bench}: what ChildTuning costs per step, measured on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        header = "Measure step time of vanilla, ChildTuning-F and ChildTuning-D, and the Fisher pass.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--seq-length", defaultValue = "64", description = "Tokens per synthetic example.")
    int sequenceLength;

    @Option(names = "--rounds", defaultValue = "10", description = "Timed steps per method.")
    int rounds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ResolvedModel resolved = modelOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        try (PretrainedModel model = PretrainedModel.load(resolved.folder())) {
            MethodBenchmark.Report r = MethodBenchmark.run(model, batchSize, sequenceLength, rounds, 42);
            out.printf(Locale.ROOT, "model %s, batch %d x %d tokens, %d rounds (median step time)%n", modelOption.model,
                    r.batchSize(), r.sequenceLength(), r.rounds());
            r.medianStepSeconds().forEach((method, seconds) -> out.printf(Locale.ROOT,
                    "  %-14s %8.3f s/step  %.3fx vanilla%n", method, seconds, r.ratio(method)));
            out.printf(Locale.ROOT, "  %-14s %8.3f s/batch %.3fx a vanilla step's speed per example%n", "fisher pass",
                    r.fisherSecondsPerBatch(), r.fisherSpeedRatio());
        }
        return 0;
    }
}
