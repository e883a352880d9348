package dev.childtune.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The examples of a task: its training split and one or more evaluation splits.
 *
 * @param task the task the examples belong to (labels as read or given)
 * @param train the training examples, in file order
 * @param devSplits the evaluation splits by name, in order; the first is the main one ({@code dev},
 *     or {@code dev_matched} for MNLI, followed by {@code dev_mismatched})
 */
public record TaskData(Task task, List<Example> train, Map<String, List<Example>> devSplits) {
    public TaskData {
        train = List.copyOf(train);
        if (devSplits.isEmpty()) {
            throw new IllegalArgumentException(task.name() + ": no evaluation split");
        }
        Map<String, List<Example>> copy = new LinkedHashMap<>();
        devSplits.forEach((name, examples) -> copy.put(name, List.copyOf(examples)));
        devSplits = Collections.unmodifiableMap(copy);
    }

    /** The main evaluation split. */
    public List<Example> dev() {
        return devSplits.values().iterator().next();
    }
}
