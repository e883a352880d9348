package dev.childtune.tuning;

import dev.childtune.ChildTuneException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The base method of a run: plain fine-tuning or one of the earlier fixes the ChildTuning paper
 * compares against. Any of them combines with one ChildTuning mask (see {@link FineTuning}).
 */
public enum BaseMethod {
    /** Plain fine-tuning. */
    VANILLA("vanilla"),
    /** Weight decay toward the pretrained weights, L2-SP (Li et al., ICML 2018): {@link PretrainedWeightDecay}. */
    WD_PRE("wd-pre"),
    /** Only the top K encoder layers, the pooler and the head train: {@link TopK}. */
    TOP_K("top-k"),
    /** Mixout (Lee et al., ICLR 2020): {@link Mixout}. */
    MIXOUT("mixout"),
    /** RecAdam (Chen et al., EMNLP 2020): {@link RecAdam}. */
    RECADAM("recadam"),
    /** R3F (Aghajanyan et al., ICLR 2021): {@link R3F}. */
    R3F("r3f");

    private final String cliName;

    BaseMethod(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static BaseMethod fromName(String name) {
        for (BaseMethod m : values()) {
            if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new ChildTuneException("unknown method '" + name + "' (expected "
                + Arrays.stream(values()).map(BaseMethod::cliName).collect(Collectors.joining(", "))
                + ", childtuning-f or childtuning-d)");
    }

    /** Whether the method needs the pretrained values of (some of) the weights during training. */
    boolean needsPretrainedWeights() {
        return this == WD_PRE || this == MIXOUT || this == RECADAM;
    }
}
