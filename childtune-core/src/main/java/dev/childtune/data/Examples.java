package dev.childtune.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Turns the rows of a {@link Table} into {@link Example}s of a {@link Task}. */
final class Examples {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private Examples() {}

    /**
     * The examples of {@code table}: class labels must be among the task's labels, regression
     * targets must be decimal numbers.
     */
    static List<Example> of(Table table, Task task) {
        Map<String, Integer> ids = new HashMap<>();
        for (String label : task.labels()) {
            ids.put(label, ids.size());
        }
        String column = DataErrors.quote(table.columns().label());
        List<Example> examples = new ArrayList<>(table.rows().size());
        for (Table.Row row : table.rows()) {
            String label = row.label();
            int id = Example.NO_LABEL;
            double score = Double.NaN;
            if (task.regression()) {
                if (!DECIMAL.matcher(label).matches()) {
                    throw DataErrors.at(
                            table.file(),
                            row.line(),
                            "score %s in column %s is not a number; expected a decimal number such as 3.8"
                                    .formatted(DataErrors.quote(label), column));
                }
                score = Double.parseDouble(label);
            } else {
                Integer known = ids.get(label);
                if (known == null) {
                    throw DataErrors.at(
                            table.file(),
                            row.line(),
                            "unknown label %s in column %s; expected one of %s"
                                    .formatted(
                                            DataErrors.quote(label),
                                            column,
                                            DataErrors.list(task.labels())));
                }
                id = known;
            }
            examples.add(
                    new Example(row.text(), row.textPair(), id, score, table.file(), row.line()));
        }
        return examples;
    }

    /**
     * The distinct labels of {@code table}, sorted numerically when all are integers, else
     * lexicographically.
     */
    static List<String> inferLabels(Table table) {
        boolean integers = true;
        TreeSet<String> labels = new TreeSet<>();
        for (Table.Row row : table.rows()) {
            String label = row.label();
            if (label.isEmpty()) {
                throw DataErrors.at(
                        table.file(),
                        row.line(),
                        "empty label in column "
                                + DataErrors.quote(table.columns().label())
                                + "; expected a class label");
            }
            integers &= INTEGER.matcher(label).matches();
            labels.add(label);
        }
        List<String> sorted = new ArrayList<>(labels);
        if (integers) {
            sorted.sort(Comparator.comparing(BigInteger::new));
        }
        return sorted;
    }
}
