package dev.childtune.train;

import dev.childtune.data.Example;
import dev.childtune.text.Encoded;
import dev.childtune.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A split tokenized once per run: token ids, segment ids and the label of every example.
 *
 * @param regression whether the labels are real-valued targets (STS-B) rather than class ids
 */
public record EncodedDataset(List<Item> items, boolean regression) {

    /**
     * One tokenized example.
     *
     * @param label the class id (classification), or -1
     * @param target the regression target, or NaN
     */
    public record Item(long[] inputIds, long[] tokenTypeIds, int label, float target) {
        public int length() {
            return inputIds.length;
        }
    }

    public EncodedDataset {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    /** Tokenizes every example once (pairs truncated longest-first to the tokenizer's max length). */
    public static EncodedDataset encode(List<Example> examples, TextTokenizer tokenizer, boolean regression) {
        List<Item> items = new ArrayList<>(examples.size());
        for (Example e : examples) {
            Encoded enc = tokenizer.encode(e.textA(), e.textB());
            items.add(new Item(enc.inputIds(), enc.tokenTypeIds(), e.label(), (float) e.score()));
        }
        return new EncodedDataset(items, regression);
    }

    public int size() {
        return items.size();
    }

    public Item get(int i) {
        return items.get(i);
    }
}
