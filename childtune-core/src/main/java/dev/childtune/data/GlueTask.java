package dev.childtune.data;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.hub.ModelResolver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GLUE task and the layout of its files as the standard GLUE download writes them: a folder (e.g.
 * {@code RTE}) with a {@code train.tsv} and one or more evaluation files, tab-separated UTF-8
 * without quoting. Get one from {@link GlueTasks#byName}.
 *
 * @param task the task: name, labels, metrics
 * @param folder the folder name in the GLUE download, e.g. {@code STS-B}
 * @param columns the header names of the text, text pair and label columns
 * @param impliedHeader the column names of files without a header line (CoLA), else null
 * @param trainFile the training file name
 * @param devFiles the evaluation file names, the main one first
 */
public record GlueTask(
        Task task,
        String folder,
        Columns columns,
        List<String> impliedHeader,
        String trainFile,
        List<String> devFiles) {
    public GlueTask {
        impliedHeader = impliedHeader == null ? null : List.copyOf(impliedHeader);
        devFiles = List.copyOf(devFiles);
    }

    /**
     * Reads the training and evaluation splits from {@code dataDir}; each evaluation split is named
     * after its file ({@code dev}, {@code dev_matched}, ...).
     *
     * @throws ChildTuneException when a file is missing or malformed
     */
    public TaskData read(Path dataDir) {
        List<String> missing = new ArrayList<>();
        for (String file : files()) {
            if (!Files.isRegularFile(dataDir.resolve(file))) {
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            throw new ChildTuneException(
                    "%s: %s not found; expected the GLUE %s files %s in this folder (download the GLUE data)"
                            .formatted(
                                    dataDir,
                                    DataErrors.list(missing),
                                    folder,
                                    DataErrors.list(files())));
        }
        Map<String, List<Example>> dev = new LinkedHashMap<>();
        for (String file : devFiles) {
            dev.put(file.substring(0, file.lastIndexOf('.')), readSplit(dataDir.resolve(file)));
        }
        return new TaskData(task, readSplit(dataDir.resolve(trainFile)), dev);
    }

    /**
     * Reads one file in this task's layout, e.g. a split of a copy of the data.
     *
     * @throws ChildTuneException when the file is missing or malformed
     */
    public List<Example> readSplit(Path file) {
        return Examples.of(
                TableReader.read(
                        file,
                        FileFormat.TSV,
                        impliedHeader,
                        columns,
                        header -> GlueTasks.otherTaskWithHeader(this, header)),
                task);
    }

    /**
     * The task's data from where {@code childtune train --task} finds it without {@code --data}:
     * {@code $GLUE_DIR}, else the copy ChildTune ships, else a download (see {@link #dataDir}).
     */
    public TaskData read() {
        return read(dataDir(null, System.getenv(), ModelResolver.fromSystem().childTuneHome()));
    }

    /**
     * The folder to read this task's data from: {@code dataOption} (the {@code --data} option) when
     * given, else {@code $GLUE_DIR/<folder>} from {@code env}, else the copy that ChildTune ships
     * (CoLA, RTE, MRPC, STS-B; see {@link BundledGlue}), else a copy downloaded once into {@code
     * cacheRoot/glue} ({@code $CHILDTUNE_GLUE_URL} mirrors the source; {@code CHILDTUNE_OFFLINE=1} or
     * {@code HF_HUB_OFFLINE=1} forbids the download).
     *
     * @param dataOption the folder the user named, or null
     * @param env the environment, e.g. {@link System#getenv()}
     * @param cacheRoot ChildTune's cache folder ({@code $CHILDTUNE_HOME})
     * @throws ChildTuneException when a named folder does not exist, or the data cannot be had
     */
    public Path dataDir(Path dataOption, Map<String, String> env, Path cacheRoot) {
        String expected =
                "expected a folder with the GLUE " + folder + " files " + DataErrors.list(files());
        if (dataOption != null) {
            return requireFolder(dataOption, "--data " + dataOption, expected);
        }
        String glueDir = env.get("GLUE_DIR");
        if (glueDir != null && !glueDir.isBlank()) {
            Path dir = Path.of(glueDir).resolve(folder);
            return requireFolder(dir, "$GLUE_DIR/" + folder + " = " + dir, expected);
        }
        if (BundledGlue.has(this)) {
            return BundledGlue.ensure(this, cacheRoot);
        }
        return GlueDownload.ensure(this, cacheRoot,
                env.getOrDefault("CHILDTUNE_GLUE_URL", GlueDownload.DEFAULT_BASE_URL), GlueDownload.offline(env));
    }

    private static Path requireFolder(Path dir, String what, String expected) {
        if (!Files.isDirectory(dir)) {
            throw new ChildTuneException(
                    what + ": no such folder; " + expected + " (download the GLUE data)");
        }
        return dir;
    }

    /** The file names of the task's splits, training first. */
    public List<String> files() {
        List<String> files = new ArrayList<>(List.of(trainFile));
        files.addAll(devFiles);
        return files;
    }
}
