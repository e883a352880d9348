package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The nine GLUE tasks, with Hugging Face's label orders and metric names, plus {@code mnli-mm}
 * (MNLI evaluated on its mismatched split only).
 */
public final class GlueTasks {
    private static final List<String> BINARY = List.of("0", "1");
    private static final List<String> ENTAILMENT = List.of("entailment", "not_entailment");
    private static final List<String> MNLI_LABELS =
            List.of("contradiction", "entailment", "neutral");
    private static final List<String> REGRESSION = List.of();

    private static final List<String> ACCURACY = List.of("accuracy");
    private static final List<String> MATTHEWS = List.of("matthews_correlation");
    private static final List<String> F1_ACCURACY = List.of("f1", "accuracy");
    private static final List<String> ACCURACY_F1 = List.of("accuracy", "f1");
    private static final List<String> CORRELATIONS = List.of("pearson", "spearmanr");

    private static final Columns SENTENCE = new Columns("sentence", null, "label");
    private static final Columns PAIR = new Columns("sentence1", "sentence2", "label");
    private static final Columns MRPC = new Columns("#1 String", "#2 String", "Quality");
    private static final Columns STSB = new Columns("sentence1", "sentence2", "score");
    private static final Columns QQP = new Columns("question1", "question2", "is_duplicate");
    private static final Columns MNLI = new Columns("sentence1", "sentence2", "gold_label");
    private static final Columns QNLI = new Columns("question", "sentence", "label");
    private static final List<String> COLA_HEADER =
            List.of("source", "label", "original_label", "sentence");

    private static final List<String> DEV = List.of("dev.tsv");
    private static final List<String> MNLI_DEV = List.of("dev_matched.tsv", "dev_mismatched.tsv");
    private static final List<String> MNLI_MM_DEV = List.of("dev_mismatched.tsv");

    private static final List<GlueTask> ALL =
            List.of(
                    glue("cola", "CoLA", BINARY, MATTHEWS, SENTENCE, COLA_HEADER, DEV),
                    glue("sst2", "SST-2", BINARY, ACCURACY, SENTENCE, null, DEV),
                    glue("mrpc", "MRPC", BINARY, F1_ACCURACY, MRPC, null, DEV),
                    glue("stsb", "STS-B", REGRESSION, CORRELATIONS, STSB, null, DEV),
                    glue("qqp", "QQP", BINARY, ACCURACY_F1, QQP, null, DEV),
                    glue("mnli", "MNLI", MNLI_LABELS, ACCURACY, MNLI, null, MNLI_DEV),
                    glue("mnli-mm", "MNLI", MNLI_LABELS, ACCURACY, MNLI, null, MNLI_MM_DEV),
                    glue("qnli", "QNLI", ENTAILMENT, ACCURACY, QNLI, null, DEV),
                    glue("rte", "RTE", ENTAILMENT, ACCURACY, PAIR, null, DEV),
                    glue("wnli", "WNLI", BINARY, ACCURACY, PAIR, null, DEV));

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
        throw new ChildTuneException(
                "unknown task "
                        + DataErrors.quote(name)
                        + "; expected one of "
                        + String.join(", ", names));
    }

    /**
     * Which other GLUE tasks' files have a header line with {@code header}'s columns, e.g. "the
     * columns of the GLUE SST-2 files (task sst2)"; null when none has.
     */
    static String otherTaskWithHeader(GlueTask self, List<String> header) {
        Map<String, List<String>> tasksByFolder = new LinkedHashMap<>();
        for (GlueTask glue : ALL) {
            if (glue.impliedHeader() == null
                    && !glue.folder().equals(self.folder())
                    && header.containsAll(glue.columns().names())) {
                tasksByFolder
                        .computeIfAbsent(glue.folder(), folder -> new ArrayList<>())
                        .add(glue.task().name());
            }
        }
        if (tasksByFolder.isEmpty()) {
            return null;
        }
        List<String> described = new ArrayList<>();
        tasksByFolder.forEach(
                (folder, names) ->
                        described.add(folder + " (task " + String.join(", ", names) + ")"));
        return "the columns of the GLUE "
                + String.join(" or ", described)
                + " files, not of "
                + self.folder();
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** A task whose main metric is the first; no labels means regression. */
    private static GlueTask glue(
            String name,
            String folder,
            List<String> labels,
            List<String> metrics,
            Columns columns,
            List<String> impliedHeader,
            List<String> devFiles) {
        Task task = new Task(name, labels, labels.isEmpty(), metrics, metrics.get(0));
        return new GlueTask(task, folder, columns, impliedHeader, "train.tsv", devFiles);
    }
}
