package dev.childtune.data;

import dev.childtune.ChildTuneException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The nine GLUE tasks, with Hugging Face's label orders and metric names, plus {@code mnli-mm}
 * (MNLI evaluated on its mismatched split only).
 */
public final class GlueTasks {
    private static final List<String> BINARY = List.of("0", "1");
    private static final List<String> ENTAILMENT = List.of("entailment", "not_entailment");
    private static final List<String> ACCURACY = List.of("accuracy");
    private static final List<String> MNLI_LABELS = List.of("contradiction", "entailment", "neutral");

    private static final List<GlueTask> ALL = List.of(
            glue(new Task("cola", BINARY, false, List.of("matthews_correlation"), "matthews_correlation"), "CoLA",
                    new Columns("sentence", null, "label"), List.of("source", "label", "original_label", "sentence"),
                    "dev.tsv"),
            glue(classification("sst2", BINARY), "SST-2", new Columns("sentence", null, "label"), null, "dev.tsv"),
            glue(new Task("mrpc", BINARY, false, List.of("f1", "accuracy"), "f1"), "MRPC",
                    new Columns("#1 String", "#2 String", "Quality"), null, "dev.tsv"),
            glue(new Task("stsb", List.of(), true, List.of("pearson", "spearmanr"), "pearson"), "STS-B",
                    new Columns("sentence1", "sentence2", "score"), null, "dev.tsv"),
            glue(new Task("qqp", BINARY, false, List.of("accuracy", "f1"), "accuracy"), "QQP",
                    new Columns("question1", "question2", "is_duplicate"), null, "dev.tsv"),
            glue(classification("mnli", MNLI_LABELS), "MNLI", new Columns("sentence1", "sentence2", "gold_label"),
                    null, "dev_matched.tsv", "dev_mismatched.tsv"),
            glue(classification("mnli-mm", MNLI_LABELS), "MNLI", new Columns("sentence1", "sentence2", "gold_label"),
                    null, "dev_mismatched.tsv"),
            glue(classification("qnli", ENTAILMENT), "QNLI", new Columns("question", "sentence", "label"), null, "dev.tsv"),
            glue(classification("rte", ENTAILMENT), "RTE", new Columns("sentence1", "sentence2", "label"), null, "dev.tsv"),
            glue(classification("wnli", BINARY), "WNLI", new Columns("sentence1", "sentence2", "label"), null, "dev.tsv"));

    private GlueTasks() {}

    /** All tasks, in the GLUE paper's order. */
    public static List<GlueTask> all() {
        return ALL;
    }

    /**
     * The task called {@code name}, ignoring case, hyphens and underscores ({@code STS-B}, {@code
     * stsb}, {@code sst-2}, {@code MNLI-MM}, ...).
     *
     * @throws ChildTuneException naming the known tasks when there is none such
     */
    public static GlueTask byName(String name) {
        for (GlueTask glue : ALL) {
            if (normalize(glue.task().name()).equals(normalize(name))) {
                return glue;
            }
        }
        List<String> names = new ArrayList<>();
        ALL.forEach(glue -> names.add(glue.task().name()));
        throw new ChildTuneException("unknown task " + DataErrors.quote(name) + "; expected one of " + String.join(", ", names));
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    private static Task classification(String name, List<String> labels) {
        return new Task(name, labels, false, ACCURACY, "accuracy");
    }

    private static GlueTask glue(Task task, String folder, Columns columns, List<String> impliedHeader, String... devFiles) {
        return new GlueTask(task, folder, columns, impliedHeader, "train.tsv", List.of(devFiles));
    }
}
