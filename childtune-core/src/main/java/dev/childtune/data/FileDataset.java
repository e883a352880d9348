package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a task from the user's own files, the way {@code run_glue.py} reads {@code --train_file}
 * and {@code --validation_file}: CSV (header line, RFC 4180 quoting), TSV (header line, split on
 * tabs only) or JSON Lines (one object per line; labels may be strings or numbers), told apart by
 * the extension ({@link FileFormat#of}).
 *
 * <p>The task is called {@code custom}. Classification reports {@code accuracy}; regression reports
 * {@code pearson} and {@code spearmanr} (main: {@code pearson}), as for STS-B.
 */
public final class FileDataset {
    /** The name of the {@link Task} of a dataset read from files. */
    public static final String TASK_NAME = "custom";

    private FileDataset() {}

    /**
     * Reads the training and evaluation files; the evaluation split is named {@code dev}.
     *
     * @param trainFile the training examples
     * @param devFile the evaluation examples
     * @param columns the text, optional text pair, and label columns
     * @param regression whether the label column holds real numbers
     * @param labels the class labels in class-id order, or null to take the distinct labels of the
     *     training file (sorted numerically when all are integers, else lexicographically); must be
     *     null or empty for regression
     * @throws ChildTuneException when a file is missing or malformed, or has a label outside the
     *     set
     */
    public static TaskData read(
            Path trainFile,
            Path devFile,
            Columns columns,
            boolean regression,
            List<String> labels) {
        if (regression && labels != null && !labels.isEmpty()) {
            throw new ChildTuneException(
                    "class labels "
                            + DataErrors.list(labels)
                            + " were given for a regression task; expected none (regression targets"
                            + " are numbers)");
        }
        Table train = TableReader.read(trainFile, FileFormat.of(trainFile), null, columns);
        Table dev = TableReader.read(devFile, FileFormat.of(devFile), null, columns);
        Task task =
                regression
                        ? new Task(
                                TASK_NAME,
                                List.of(),
                                true,
                                List.of("pearson", "spearmanr"),
                                "pearson")
                        : new Task(
                                TASK_NAME,
                                labels != null ? labels : Examples.inferLabels(train),
                                false,
                                List.of("accuracy"),
                                "accuracy");
        return new TaskData(task, Examples.of(train, task), Map.of("dev", Examples.of(dev, task)));
    }
}
