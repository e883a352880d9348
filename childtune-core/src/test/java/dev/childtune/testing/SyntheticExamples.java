package dev.childtune.testing;

import dev.childtune.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A learnable toy task for the tiny BERT's vocabulary: sentences of words {@code w5, w6, ...},
 * labelled by how many of "ends with or contains w5" and "contains w6" hold (0, 1 or 2); every
 * third example has the pair "w9 w10".
 */
public final class SyntheticExamples {
    private SyntheticExamples() {}

    /**
     * @param lengthSpread sentences have 3 to {@code 2 + lengthSpread} words
     * @param wordSpread words are drawn from {@code w5} to {@code w(4 + wordSpread)}
     */
    public static List<Example> of(int n, long seed, int lengthSpread, int wordSpread) {
        Random random = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = 0, length = 3 + random.nextInt(lengthSpread); j < length; j++) {
                text.append(" w").append(5 + random.nextInt(wordSpread));
            }
            String t = text.toString().strip();
            int label = (t.contains("w5 ") || t.endsWith("w5") ? 1 : 0) + (t.contains("w6") ? 1 : 0);
            out.add(new Example(t, i % 3 == 0 ? "w9 w10" : null, label, Double.NaN, Path.of("synthetic"), i + 1));
        }
        return out;
    }
}
