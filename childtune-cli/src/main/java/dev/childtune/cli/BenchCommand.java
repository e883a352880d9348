package dev.childtune.cli;

import ai.djl.Device;
import dev.childtune.ChildTuneException;
import dev.childtune.bench.BenchmarkOptions;
import dev.childtune.bench.BenchmarkReport;
import dev.childtune.bench.PerformanceBenchmark;
import dev.childtune.bench.Section;
import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.checkpoint.hub.ResolvedModel;
import dev.childtune.data.GlueTasks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune bench}: issue 7's figures, measured on this machine in one run. */
@Command(name = "bench", header = "Measure training speed against the machine's limit: GEMM peak, step time and MFU, inference, "
                + "ChildTuning overhead, Fisher pass, padding, memory.",
        description = {
            "Sections (--only): gemm, step (default model), overhead (ChildTuning-F/-D vs vanilla), fisher, "
                    + "inference, profile (where a step of the default model spends its time, by PyTorch's "
                    + "profiler), base (BERT-base geometry, random weights), padding (an RTE epoch), memory "
                    + "(a child JVM). Each figure is the median of --rounds repeats after --warmup; the targets of "
                    + "issue 7 are printed beside the figures. Progress goes to stderr, the report to stdout."})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--data", paramLabel = "DIR",
            description = "The GLUE RTE folder for the padding section (default: $GLUE_DIR/RTE, else the copy shipped with "
                    + "ChildTune).")
    Path data;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seeds the random inputs and weights.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Sequences per batch of the default model.")
    int batchSize;

    @Option(names = {"--seq-len", "--seq-length"}, defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per sequence of the default model (also the padded length of the padding section).")
    int seqLength;

    @Option(names = "--base-batch-size", defaultValue = "16", paramLabel = "N",
            description = "Sequences per batch of BERT-base geometry.")
    int baseBatchSize;

    @Option(names = "--base-seq-len", defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per sequence of BERT-base geometry.")
    int baseSeqLength;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Timed repeats of each figure (the median is shown).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed rounds first.")
    int warmup;

    @Option(names = "--gemm-size", defaultValue = "2048", paramLabel = "N",
            description = "Side of the square fp32 matrices of the GEMM peak.")
    int gemmSize;

    @Option(names = "--only", paramLabel = "SECTIONS", defaultValue = "all",
            description = "Run only these comma-separated sections: gemm, step, overhead, fisher, inference, profile, "
                    + "base, padding, memory (or all).")
    String only;

    @Option(names = "--padding-batches", defaultValue = "12", paramLabel = "N",
            description = "Batches of each RTE epoch order timed, evenly spaced and scaled to the epoch (0: the whole epoch).")
    int paddingBatches;

    @Option(names = "--memory-steps", defaultValue = "3", paramLabel = "N",
            description = "Training steps of the memory section's child JVM.")
    int memorySteps;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure, its repeats and the machine here.")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var sections = Section.parse(only);
        Path rte = rteFolder(sections.contains(Section.PADDING));
        Device device = deviceOption.resolve();
        ResolvedModel resolved = modelOption.resolve();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchmarkOptions options;
        try {
            options = new BenchmarkOptions(resolved.folder(), modelOption.model, batchSize, seqLength,
                    BenchmarkOptions.bertBase(), baseBatchSize, baseSeqLength, rounds, warmup, gemmSize, sections, rte,
                    paddingBatches, memorySteps, seed, device);
        } catch (IllegalArgumentException e) {
            throw new ChildTuneException(e.getMessage());
        }
        BenchmarkReport report = PerformanceBenchmark.run(options, line -> {
            err.println(line);
            err.flush();
        });
        report.format().forEach(out::println);
        if (json != null) {
            report.writeJson(json);
            out.println();
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }

    /** --data, else $GLUE_DIR/RTE, else the RTE copy ChildTune ships; null when the padding section is not run. */
    private Path rteFolder(boolean needed) {
        return needed ? GlueTasks.byName("rte").dataDir(data, System.getenv(), ModelResolver.fromSystem().childTuneHome())
                : null;
    }
}
