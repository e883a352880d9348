package dev.childtune.data;

import java.nio.file.Path;

/**
 * One example of a task: a text or a pair of texts with its target, and where it was read.
 *
 * <p>For a classification task, {@code label} is the class id, the index of the class label in
 * {@link Task#labels()}, and {@code score} is NaN. For a regression task, {@code label} is {@link
 * #NO_LABEL} and {@code score} is the target value.
 *
 * @param textA the first (or only) text
 * @param textB the second text of a pair, or null for single-text tasks
 * @param label the class id, or {@link #NO_LABEL} for regression
 * @param score the regression target, or NaN for classification
 * @param file the file the example was read from
 * @param line the 1-based line of {@code file} where the example starts
 */
public record Example(String textA, String textB, int label, double score, Path file, int line) {
    /** The {@link #label()} of a regression example. */
    public static final int NO_LABEL = -1;

    /** "{@code <file>:<line>}", for messages about this example. */
    public String source() {
        return file + ":" + line;
    }
}
