package dev.childtune.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of one run under {@code --output}: {@code run.json} (configuration and provenance),
 * {@code metrics.jsonl} (one line per logged step and per evaluation), {@code results.json},
 * {@code predictions.tsv}, {@code model/} (the final or best model) and
 * {@code checkpoints/checkpoint-STEP/} (what a resume needs). Every file appears whole or not at all.
 */
public final class RunDirectory {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();
    private static final Gson COMPACT = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private static final String CHECKPOINT_PREFIX = "checkpoint-";
    /** The run's configuration and provenance, written when it starts. */
    public static final String RUN_JSON = "run.json";

    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    /**
     * Creates the folder and checks, before any work, that files can be written there and that
     * the disk has room for {@code bytesNeeded}: a clear error now rather than a failed write hours
     * into a run.
     */
    public void prepare(long bytesNeeded) {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new ChildTuneException(root + ": the output folder is not writable (" + e.getMessage() + ")", e);
        }
        try {
            long usable = Files.getFileStore(root).getUsableSpace();
            if (usable < bytesNeeded) {
                throw new ChildTuneException(String.format(Locale.ROOT,
                        "%s: %.2f GB free on its disk, the run needs about %.2f GB (the model and a checkpoint with"
                                + " its optimizer state)", root, usable / 1e9, bytesNeeded / 1e9));
            }
        } catch (IOException e) {
            throw new ChildTuneException(root + ": cannot read the free space of its disk: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** The file of the run's configuration and provenance. */
    private Path runJsonFile() {
        return root.resolve(RUN_JSON);
    }

    /** Whether a run started here: the folder has its {@code run.json}. */
    public boolean holdsRun() {
        return Files.isRegularFile(runJsonFile());
    }

    /** Whether the folder exists and holds anything at all. */
    public boolean hasContents() {
        if (!Files.isDirectory(root)) {
            return Files.exists(root);
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.findAny().isPresent();
        } catch (IOException e) {
            throw new ChildTuneException(root + ": cannot list the folder: " + e.getMessage(), e);
        }
    }

    /** The {@code run.json} a run wrote here; empty when there is none. */
    public Optional<JsonObject> readRunJson() {
        Path file = runJsonFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(file + ": cannot read the earlier run's settings: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes everything inside the folder of an earlier run (one with a {@code run.json}), keeping
     * the folder itself. Refuses a folder that holds something but no run, so a mistyped path never
     * empties a folder of other files; symbolic links inside are removed, not followed.
     */
    public void clear() {
        if (!hasContents()) {
            return;
        }
        if (!holdsRun()) {
            throw new ChildTuneException(root + ": not the folder of a run (it has no " + RUN_JSON
                    + "); refusing to delete its contents");
        }
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.toList()) {
                AtomicFiles.deleteRecursively(child);
            }
        } catch (IOException e) {
            throw new ChildTuneException(root + ": cannot empty the folder: " + e.getMessage(), e);
        }
    }

    public Path modelFolder() {
        return root.resolve("model");
    }

    public Path metricsFile() {
        return root.resolve("metrics.jsonl");
    }

    public Path checkpointsFolder() {
        return root.resolve("checkpoints");
    }

    public void writeJson(String fileName, JsonObject json) {
        AtomicFiles.writeString(root.resolve(fileName), GSON.toJson(json) + "\n");
    }

    public void writeText(String fileName, String text) {
        AtomicFiles.writeString(root.resolve(fileName), text);
    }

    /** Appends one line to {@code metrics.jsonl} and flushes it to disk. */
    public void appendMetrics(JsonObject line) {
        try {
            Files.createDirectories(root);
            Files.writeString(metricsFile(), COMPACT.toJson(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new ChildTuneException(metricsFile() + ": cannot append: " + e.getMessage(), e);
        }
    }

    /**
     * Keeps only the {@code metrics.jsonl} lines of steps up to {@code step} (the checkpoint a run
     * resumes from), so the resumed run's log reads as if never interrupted.
     */
    public void truncateMetricsAfter(int step) {
        Path file = metricsFile();
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                if (o.get("step").getAsInt() <= step) {
                    kept.add(line);
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(file + ": cannot read it to resume: " + e.getMessage(), e);
        }
    }

    /** The checkpoint folder for a step. */
    public Path checkpointFolder(int step) {
        return checkpointsFolder().resolve(CHECKPOINT_PREFIX + step);
    }

    /** The checkpoint with the highest step, if any. */
    public Optional<Path> latestCheckpoint() {
        Path folder = checkpointsFolder();
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(p -> p.getFileName().toString().matches(CHECKPOINT_PREFIX + "\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(TrainerState.FILE_NAME)))
                    .max(Comparator.comparingInt(RunDirectory::checkpointStep));
        } catch (IOException e) {
            throw new ChildTuneException(folder + ": cannot list checkpoints: " + e.getMessage(), e);
        }
    }

    /** Deletes every checkpoint except {@code keep}. */
    public void deleteCheckpointsExcept(Path keep) {
        try (Stream<Path> children = Files.list(checkpointsFolder())) {
            for (Path p : children.toList()) {
                if (!p.equals(keep) && p.getFileName().toString().startsWith(CHECKPOINT_PREFIX)) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            throw new ChildTuneException(checkpointsFolder() + ": cannot clean up: " + e.getMessage(), e);
        }
    }

    private static int checkpointStep(Path checkpoint) {
        return Integer.parseInt(checkpoint.getFileName().toString().substring(CHECKPOINT_PREFIX.length()));
    }
}
