package dev.childtune.experiments;

import java.util.Collections;
import java.util.Map;
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
}
