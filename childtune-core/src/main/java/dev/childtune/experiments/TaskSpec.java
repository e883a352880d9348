package dev.childtune.experiments;

import dev.childtune.data.BundledGlue;
import dev.childtune.data.GlueDownload;
import dev.childtune.data.GlueTask;
import dev.childtune.data.GlueTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A data set as a sweep names it: the name it has in the report and the data options of
 * {@code childtune train} that read it ({@code task} and {@code data} for GLUE; {@code train-file},
 * {@code validation-file}, ... for your own files).
 */
public record TaskSpec(String name, Map<String, Object> options) {
    public TaskSpec {
        options = Collections.unmodifiableMap(new TreeMap<>(options));
    }

    /**
     * What keeps this data set's files from being found, as {@code childtune train} would look for
     * them on this machine: a {@code data} folder, a {@code train-file} or {@code validation-file}
     * that does not exist, or a GLUE task that is neither in {@code $GLUE_DIR} nor shipped with
     * ChildTune while downloads are off. Empty when the data is there (or will be downloaded).
     */
    public Optional<String> missingData(Map<String, String> env) {
        for (String option : new String[] {"data", "train-file", "validation-file"}) {
            Object value = options.get(option);
            boolean folder = option.equals("data");
            if (value != null && !(folder ? Files.isDirectory(Path.of(value.toString()))
                    : Files.isRegularFile(Path.of(value.toString())))) {
                return Optional.of("task " + name + ": " + option + " " + value + " does not exist (expected a "
                        + (folder ? "folder" : "file") + ")");
            }
        }
        Object task = options.get("task");
        if (task == null || options.containsKey("data")) {
            return Optional.empty();
        }
        GlueTask glue = GlueTasks.byName(task.toString());
        String glueDir = env.get("GLUE_DIR");
        if (glueDir != null && !glueDir.isBlank()) {
            Path dir = Path.of(glueDir).resolve(glue.folder());
            return Files.isDirectory(dir) ? Optional.empty()
                    : Optional.of("task " + name + ": $GLUE_DIR/" + glue.folder() + " = " + dir + " does not exist");
        }
        if (!BundledGlue.has(glue) && GlueDownload.offline(env)) {
            return Optional.of("task " + name + ": GLUE " + glue.folder()
                    + " is not shipped with ChildTune and downloads are off; give its folder as data");
        }
        return Optional.empty();
    }
}
