package dev.childtune.data;

import dev.childtune.ChildTuneException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A declared table from one data set's labels to a model's labels, for evaluating a model on
 * another data set of the same kind (domain transfer): e.g. an RTE model, whose labels are
 * {@code entailment, not_entailment}, on an NLI set with {@code entailment → entailment,
 * neutral → not_entailment, contradiction → not_entailment}.
 *
 * @param table data label → model label; several data labels may map to one model label
 */
public record LabelMap(Map<String, String> table) {
    public LabelMap {
        table = Map.copyOf(table);
    }

    /**
     * The examples of {@code data} relabelled into {@code modelLabels}, as a task scored by
     * accuracy (the only metric whose meaning survives a many-to-one table).
     *
     * @throws ChildTuneException for a regression task, a data label the table lacks, or a
     *     table entry whose model label the model does not have
     */
    public TaskData apply(TaskData data, List<String> modelLabels) {
        Task task = data.task();
        if (task.regression()) {
            throw new ChildTuneException("label map: task " + task.name() + " is a regression task; a label map needs classes");
        }
        table.forEach((from, to) -> {
            if (!modelLabels.contains(to)) {
                throw new ChildTuneException("label map: '" + from + "=" + to + "' maps to a label the model lacks (model labels: "
                        + DataErrors.list(modelLabels) + ")");
            }
        });
        int[] target = new int[task.labels().size()];
        for (int i = 0; i < target.length; i++) {
            String label = task.labels().get(i);
            String to = table.get(label);
            if (to == null) {
                throw new ChildTuneException("label map: no entry for " + task.name() + "'s label '" + label
                        + "' (data labels: " + DataErrors.list(task.labels()) + ")");
            }
            target[i] = modelLabels.indexOf(to);
        }
        Task mapped = new Task(task.name(), modelLabels, false, List.of("accuracy"), "accuracy");
        Map<String, List<Example>> splits = new LinkedHashMap<>();
        data.devSplits().forEach((name, examples) -> splits.put(name, relabel(examples, target)));
        return new TaskData(mapped, relabel(data.train(), target), splits);
    }

    private static List<Example> relabel(List<Example> examples, int[] target) {
        List<Example> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(new Example(e.textA(), e.textB(), target[e.label()], e.score(), e.file(), e.line()));
        }
        return out;
    }
}
