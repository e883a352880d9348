package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/** Seeded subsamples of a training split, for {@code --max-train-samples}. */
public final class Subsample {
    private Subsample() {}

    /**
     * {@code n} examples chosen at random with the class proportions of {@code examples}, in their
     * original order.
     *
     * <p>Each class gets {@code n * share} examples rounded by the largest-remainder method (the
     * floors first, then one more for the classes with the largest fractional parts, ties to the
     * lower class id), so the total is exactly {@code n} and each class's count is within one of
     * {@code n * share}. Within a class the examples are picked by a shuffle with one {@code
     * java.util.Random(seed)}, classes in id order. Regression examples form one class, so they get
     * a seeded uniform sample. When {@code n} is at least the number of examples, all are returned.
     *
     * @throws ChildTuneException when {@code n} is below 1
     */
    public static List<Example> stratified(List<Example> examples, int n, long seed) {
        if (n < 1) {
            throw new ChildTuneException(
                    "subsample size " + n + " is too small; expected at least 1 example");
        }
        int size = examples.size();
        if (n >= size) {
            return examples;
        }
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            byClass.computeIfAbsent(examples.get(i).label(), label -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> classes = new ArrayList<>(byClass.values());
        int[] quota = new int[classes.size()];
        long[] remainder = new long[classes.size()];
        int left = n;
        for (int c = 0; c < quota.length; c++) {
            long share = (long) n * classes.get(c).size();
            quota[c] = (int) (share / size);
            remainder[c] = share % size;
            left -= quota[c];
        }
        for (; left > 0; left--) {
            int largest = 0;
            for (int c = 1; c < quota.length; c++) {
                if (remainder[c] > remainder[largest]) {
                    largest = c;
                }
            }
            quota[largest]++;
            remainder[largest] = -1;
        }
        Random random = new Random(seed);
        boolean[] chosen = new boolean[size];
        for (int c = 0; c < quota.length; c++) {
            List<Integer> members = classes.get(c);
            Collections.shuffle(members, random);
            members.subList(0, quota[c]).forEach(i -> chosen[i] = true);
        }
        List<Example> sample = new ArrayList<>(n);
        for (int i = 0; i < size; i++) {
            if (chosen[i]) {
                sample.add(examples.get(i));
            }
        }
        return sample;
    }
}
