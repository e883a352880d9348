package dev.childtune.experiments;

import dev.childtune.metrics.SeedAggregate;
import dev.childtune.tuning.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * The paper's tables from the results database. Per study (model × protocol): rows are methods,
 * columns the reported data sets and their average. For each method and training task the grid
 * point with the best mean dev score (the training task's own dev split, main metric) is chosen,
 * as the paper does; its seeds make the cell: mean, sample std and max. The best mean per column
 * is marked. Each method is compared with vanilla across seeds: a paired t-test when both ran the
 * same seeds, else Welch's.
 */
public final class Report {
    /** The name of the average column. */
    public static final String AVERAGE = "average";

    private Report() {}

    /** A reported data set and the metric shown. */
    public record Column(String name, String metric) {}

    /**
     * A two-sided t-test of a method against vanilla.
     *
     * @param test "paired" or "welch"
     */
    public record Significance(String test, int n, double t, double p) {}

    /**
     * @param grid the chosen grid point
     * @param bySeed the reported score per seed
     * @param vsVanilla null for vanilla itself, for the average column, or when vanilla lacks the column
     */
    public record Cell(String grid, Map<Long, Double> bySeed, SeedAggregate aggregate, boolean best,
            Significance vsVanilla) {}

    /**
     * @param cells method → column name (the {@link #AVERAGE} last) → cell
     * @param chosen the trials of the chosen grid points, for plots
     */
    public record Study(String title, String protocol, List<Column> columns, List<String> methods,
            Map<String, Map<String, Cell>> cells, List<ResultsDb.StoredTrial> chosen) {}

    /** The studies of the done trials, in the order they were first registered. */
    public static List<Study> build(List<ResultsDb.StoredTrial> trials) {
        Map<String, List<ResultsDb.StoredTrial>> byStudy = new LinkedHashMap<>();
        for (ResultsDb.StoredTrial trial : trials) {
            if (trial.status().equals("done")) {
                byStudy.computeIfAbsent(trial.study(), k -> new ArrayList<>()).add(trial);
            }
        }
        List<Study> studies = new ArrayList<>();
        byStudy.forEach((title, members) -> studies.add(study(title, members)));
        return studies;
    }

    /** The evaluations a trial reports: its own dev split, or for transfer protocols the targets. */
    static List<Evaluation> reported(ResultsDb.StoredTrial trial) {
        boolean transfer = trial.protocol().equals(Protocol.DOMAIN_TRANSFER) || trial.protocol().equals(Protocol.TASK_TRANSFER);
        return trial.evaluations().values().stream().filter(e -> transfer != e.name().equals(trial.task())).toList();
    }

    private static Study study(String title, List<ResultsDb.StoredTrial> trials) {
        Map<String, Column> columns = new LinkedHashMap<>();
        Set<String> methodSet = new LinkedHashSet<>();
        for (ResultsDb.StoredTrial trial : trials) {
            methodSet.add(trial.method());
            for (Evaluation e : reported(trial)) {
                columns.putIfAbsent(e.name(), new Column(e.name(), e.mainMetric()));
            }
        }
        List<String> methods = new ArrayList<>(methodSet);
        methods.sort(Comparator.comparingInt(Report::methodOrder));
        Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
        List<ResultsDb.StoredTrial> chosen = new ArrayList<>();
        for (String method : methods) {
            Map<String, Cell> row = new LinkedHashMap<>();
            Map<String, List<ResultsDb.StoredTrial>> byTask = new LinkedHashMap<>();
            trials.stream().filter(t -> t.method().equals(method))
                    .forEach(t -> byTask.computeIfAbsent(t.task(), k -> new ArrayList<>()).add(t));
            for (List<ResultsDb.StoredTrial> taskTrials : byTask.values()) {
                List<ResultsDb.StoredTrial> best = bestGridPoint(taskTrials);
                chosen.addAll(best);
                Map<String, Map<Long, Double>> scores = new LinkedHashMap<>();
                for (ResultsDb.StoredTrial trial : best) {
                    for (Evaluation e : reported(trial)) {
                        scores.computeIfAbsent(e.name(), k -> new TreeMap<>()).put(trial.seed(), e.main());
                    }
                }
                scores.forEach((column, bySeed) -> row.put(column,
                        new Cell(best.get(0).gridLabel(), bySeed, SeedAggregate.of(List.copyOf(bySeed.values())), false, null)));
            }
            Cell average = average(row, columns.keySet());
            if (average != null) {
                row.put(AVERAGE, average);
            }
            cells.put(method, row);
        }
        List<String> allColumns = new ArrayList<>(columns.keySet());
        allColumns.add(AVERAGE);
        for (String column : allColumns) {
            double best = cells.values().stream().map(r -> r.get(column)).filter(c -> c != null)
                    .mapToDouble(c -> c.aggregate().mean()).filter(Double::isFinite).max().orElse(Double.NaN);
            Map<Long, Double> vanilla = column.equals(AVERAGE) || !cells.containsKey(Method.VANILLA.cliName()) ? null
                    : cells.get(Method.VANILLA.cliName()).containsKey(column)
                            ? cells.get(Method.VANILLA.cliName()).get(column).bySeed() : null;
            cells.forEach((method, row) -> {
                Cell c = row.get(column);
                if (c != null) {
                    Significance s = vanilla == null || method.equals(Method.VANILLA.cliName()) ? null
                            : significance(c.bySeed(), vanilla);
                    row.put(column, new Cell(c.grid(), c.bySeed(), c.aggregate(), c.aggregate().mean() == best, s));
                }
            });
        }
        return new Study(title, trials.get(0).protocol(), List.copyOf(columns.values()), methods, cells, chosen);
    }

    private static int methodOrder(String method) {
        for (Method m : Method.values()) {
            if (m.cliName().equals(method)) {
                return m.ordinal();
            }
        }
        return Method.values().length;
    }

    /** The trials of the grid point whose mean dev score on the training task is highest (first on ties). */
    static List<ResultsDb.StoredTrial> bestGridPoint(List<ResultsDb.StoredTrial> trials) {
        Map<String, List<ResultsDb.StoredTrial>> byGrid = new LinkedHashMap<>();
        trials.forEach(t -> byGrid.computeIfAbsent(t.gridLabel(), k -> new ArrayList<>()).add(t));
        List<ResultsDb.StoredTrial> best = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (List<ResultsDb.StoredTrial> point : byGrid.values()) {
            double mean = point.stream().mapToDouble(t -> selectionScore(t)).average().orElse(Double.NaN);
            if (best == null || mean > bestMean) {
                best = point;
                bestMean = Double.isNaN(mean) ? Double.NEGATIVE_INFINITY : mean;
            }
        }
        return best;
    }

    private static double selectionScore(ResultsDb.StoredTrial trial) {
        Evaluation dev = trial.evaluations().get(trial.task());
        return dev == null ? Double.NaN : dev.main();
    }

    /**
     * The average over the columns: per seed when every column has the same seeds (so it has a
     * std and a max), else the mean of the column means alone; null when a column is missing.
     */
    private static Cell average(Map<String, Cell> row, Set<String> columns) {
        if (columns.isEmpty() || !row.keySet().containsAll(columns)) {
            return null;
        }
        Set<Long> seeds = row.get(columns.iterator().next()).bySeed().keySet();
        boolean sameSeeds = columns.stream().allMatch(c -> row.get(c).bySeed().keySet().equals(seeds));
        if (!sameSeeds) {
            double mean = columns.stream().mapToDouble(c -> row.get(c).aggregate().mean()).average().orElseThrow();
            return new Cell("", Map.of(), new SeedAggregate(columns.size(), mean, Double.NaN, Double.NaN, Double.NaN),
                    false, null);
        }
        Map<Long, Double> bySeed = new TreeMap<>();
        for (long seed : seeds) {
            bySeed.put(seed, columns.stream().mapToDouble(c -> row.get(c).bySeed().get(seed)).average().orElseThrow());
        }
        return new Cell("", bySeed, SeedAggregate.of(List.copyOf(bySeed.values())), false, null);
    }

    /** A two-sided t-test of {@code method} against {@code vanilla}; null with fewer than two seeds a side. */
    static Significance significance(Map<Long, Double> method, Map<Long, Double> vanilla) {
        if (method.size() < 2 || vanilla.size() < 2) {
            return null;
        }
        TTest test = new TTest();
        double[] a = method.values().stream().mapToDouble(Double::doubleValue).toArray();
        double[] b = vanilla.values().stream().mapToDouble(Double::doubleValue).toArray();
        if (method.keySet().equals(vanilla.keySet())) {
            // both maps are sorted by seed, so a[i] and b[i] are the same seed
            return new Significance("paired", a.length, test.pairedT(a, b), pValue(() -> test.pairedTTest(a, b)));
        }
        return new Significance("welch", a.length + b.length, test.t(a, b), pValue(() -> test.tTest(a, b)));
    }

    /** The p-value, NaN where the test is undefined (no variance at all). */
    private static double pValue(java.util.function.DoubleSupplier test) {
        try {
            return test.getAsDouble();
        } catch (org.apache.commons.math3.exception.MathIllegalArgumentException e) {
            return Double.NaN;
        }
    }
}
