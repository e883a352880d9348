package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.data.Columns;
import dev.childtune.data.FileDataset;
import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.data.GlueTask;
import dev.childtune.data.GlueTasks;
import dev.childtune.data.TaskData;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a command's examples come from: a GLUE task, or generic CSV/TSV/JSONL files. */
final class DataOptions {
    @Option(names = "--task", paramLabel = "TASK",
            description = "A GLUE task: cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli.")
    String task;

    @Option(names = "--data", paramLabel = "DIR",
            description = "The task's folder with train.tsv and dev.tsv (default: $GLUE_DIR/<Task>, else the copy "
                    + "shipped with ChildTune for cola, rte, mrpc and stsb, else one downloaded once into $CHILDTUNE_HOME/glue).")
    Path data;

    @Option(names = "--train-file", paramLabel = "FILE", description = "Generic data: the training file (.csv, .tsv, .jsonl).")
    Path trainFile;

    @Option(names = "--validation-file", paramLabel = "FILE", description = "Generic data: the evaluation file.")
    Path validationFile;

    @Option(names = "--text-column", defaultValue = "text", paramLabel = "COLUMN", description = "Generic data: the text column.")
    String textColumn;

    @Option(names = "--text-pair-column", paramLabel = "COLUMN", description = "Generic data: the second text's column, if any.")
    String textPairColumn;

    @Option(names = "--label-column", defaultValue = "label", paramLabel = "COLUMN", description = "Generic data: the label column.")
    String labelColumn;

    @Option(names = "--labels", split = ",", paramLabel = "LABEL",
            description = "Generic data: the label set in class-id order (default: inferred from the training file).")
    List<String> labels;

    @Option(names = "--regression", description = "Generic data: the label is a real number.")
    boolean regression;

    /**
     * The task's name, known before any file is read: the GLUE task's, or {@link FileDataset#TASK_NAME}
     * for generic data. Checks that the options choose exactly one source of examples.
     */
    String taskName() {
        if (task != null) {
            if (trainFile != null) {
                throw new ChildTuneException("give either --task (with --data) or --train-file, not both");
            }
            return GlueTasks.byName(task).task().name();
        }
        if (trainFile == null || validationFile == null) {
            throw new ChildTuneException("no data: pass --task TASK [--data DIR], or --train-file and --validation-file");
        }
        return FileDataset.TASK_NAME;
    }

    TaskData read() {
        taskName();
        if (task != null) {
            GlueTask glue = GlueTasks.byName(task);
            return glue.read(glue.dataDir(data, System.getenv(), ModelResolver.fromSystem().childTuneHome()));
        }
        return FileDataset.read(trainFile, validationFile, new Columns(textColumn, textPairColumn, labelColumn),
                regression, labels);
    }
}
