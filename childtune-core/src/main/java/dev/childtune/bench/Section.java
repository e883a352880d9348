package dev.childtune.bench;

import dev.childtune.ChildTuneException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The parts of the benchmark, each selectable on its own ({@code --only step,gemm}). */
public enum Section {
    /** The best fp32 matrix-multiply rate of the engine: the machine's practical peak. */
    GEMM,
    /** A full training step of the default model (forward, backward, clipping, AdamW). */
    STEP,
    /** ChildTuning-F and -D steps against vanilla, interleaved round by round. */
    OVERHEAD,
    /** The Fisher pass against the training forward+backward rate. */
    FISHER,
    /** Evaluation (forward without gradients) examples per second. */
    INFERENCE,
    /** Where the default model's training step spends its time, by PyTorch's profiler. */
    PROFILE,
    /** A full training step of BERT-base geometry with random weights. */
    BASE,
    /** An RTE epoch with dynamic padding and length grouping against one padded to the sequence length. */
    PADDING,
    /** Peak resident memory of a child JVM training the default model. */
    MEMORY;

    /** The lower-case name used on the command line and in the JSON. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code "step,gemm"}; {@code "all"} or an empty string selects every section. */
    public static Set<Section> parse(String list) {
        if (list == null || list.isBlank() || list.trim().equals("all")) {
            return EnumSet.allOf(Section.class);
        }
        Set<Section> out = EnumSet.noneOf(Section.class);
        for (String part : list.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            try {
                out.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ChildTuneException("unknown benchmark section '" + part.trim() + "'; expected some of "
                        + Arrays.stream(values()).map(Section::id).collect(Collectors.joining(", ")) + " (or all)");
            }
        }
        if (out.isEmpty()) {
            throw new ChildTuneException("no benchmark section selected in '" + list + "'");
        }
        return out;
    }
}
