package dev.childtune.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.tuning.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report as one self-contained HTML page: the tables, and XChart plots embedded as base64
 * PNG: the per-seed spread of each method on each data set, the training loss curves (from each
 * run's {@code metrics.jsonl}, mean over the seeds of the chosen grid point) and, for
 * ChildTuning-D, the share of each layer's weights in the child network (from {@code results.json}).
 */
final class HtmlReport {
    private static final int WIDTH = 540;
    private static final int HEIGHT = 340;

    private HtmlReport() {}

    static String render(List<Report.Study> studies, String legend) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>ChildTune sweep report</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
                table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}
                th:first-child,td:first-child{text-align:left}td.best{font-weight:bold;background:#eef6ee}
                figure{display:inline-block;margin:0.5em}figcaption{font-size:0.9em;color:#555}.note{color:#555}
                </style></head><body>
                <h1>ChildTune sweep report</h1>
                """);
        if (studies.isEmpty()) {
            html.append("<p>No finished trials yet.</p>\n");
        }
        for (Report.Study study : studies) {
            html.append("<h2>").append(escape(study.title())).append("</h2>\n<p class=\"note\">")
                    .append(escape(legend)).append("</p>\n");
            table(html, study);
            html.append("<h3>Per-seed spread</h3>\n");
            for (Report.Column column : study.columns()) {
                figure(html, spread(study, column), "Per-seed " + column.metric() + " on " + column.name()
                        + " (×100), best grid point per method");
            }
            html.append("<h3>Learning curves</h3>\n");
            learningCurves(html, study);
            childShare(html, study);
        }
        return html.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder html, Report.Study study) {
        html.append("<table><tr><th>method</th>");
        study.columns().forEach(c -> html.append("<th>").append(escape(c.name() + " (" + c.metric() + ")")).append("</th>"));
        html.append("<th>").append(Report.AVERAGE).append("</th></tr>\n");
        for (String method : study.methods()) {
            html.append("<tr><td>").append(escape(method)).append("</td>");
            Map<String, Report.Cell> row = study.cells().get(method);
            List<String> names = new ArrayList<>(study.columns().stream().map(Report.Column::name).toList());
            names.add(Report.AVERAGE);
            for (String name : names) {
                Report.Cell cell = row.get(name);
                String title = cell == null ? "" : cell.grid() + (cell.vsVanilla() == null ? ""
                        : "; " + ReportFormat.significanceText(cell));
                html.append(cell != null && cell.best() ? "<td class=\"best\"" : "<td").append(" title=\"")
                        .append(escape(title)).append("\">").append(escape(ReportFormat.cellText(cell, false))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n<table><tr><th>against vanilla</th>");
        study.columns().forEach(c -> html.append("<th>").append(escape(c.name())).append("</th>"));
        html.append("</tr>\n");
        for (String method : study.methods().stream().filter(m -> !m.equals(Method.VANILLA.cliName())).toList()) {
            html.append("<tr><td>").append(escape(method)).append("</td>");
            study.columns().forEach(c -> html.append("<td>")
                    .append(escape(ReportFormat.significanceText(study.cells().get(method).get(c.name())))).append("</td>"));
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private static BoxChart spread(Report.Study study, Report.Column column) {
        BoxChart chart = new BoxChartBuilder().width(WIDTH).height(HEIGHT).title(column.name())
                .yAxisTitle(column.metric() + " ×100").build();
        chart.getStyler().setLegendVisible(false);
        for (String method : study.methods()) {
            Report.Cell cell = study.cells().get(method).get(column.name());
            if (cell != null) {
                chart.addSeries(method, cell.bySeed().values().stream().map(v -> v * 100).toList());
            }
        }
        return chart;
    }

    private static void learningCurves(StringBuilder html, Report.Study study) {
        Map<String, Map<String, List<Map<Integer, Double>>>> byTask = new LinkedHashMap<>();
        for (ResultsDb.StoredTrial trial : study.chosen()) {
            Map<Integer, Double> losses = losses(trial.outputDir().resolve("metrics.jsonl"));
            if (!losses.isEmpty()) {
                byTask.computeIfAbsent(trial.task(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(trial.method(), k -> new ArrayList<>()).add(losses);
            }
        }
        if (byTask.isEmpty()) {
            html.append("<p class=\"note\">No metrics.jsonl found in the trials' folders.</p>\n");
        }
        byTask.forEach((task, byMethod) -> {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("training loss on " + task)
                    .xAxisTitle("step").yAxisTitle("loss").build();
            byMethod.forEach((method, runs) -> {
                TreeMap<Integer, Double> mean = new TreeMap<>();
                for (Integer step : runs.get(0).keySet()) {
                    if (runs.stream().allMatch(r -> r.containsKey(step))) {
                        mean.put(step, runs.stream().mapToDouble(r -> r.get(step)).average().orElseThrow());
                    }
                }
                if (!mean.isEmpty()) {
                    chart.addSeries(method, new ArrayList<>(mean.keySet()), new ArrayList<>(mean.values()))
                            .setMarker(SeriesMarkers.NONE);
                }
            });
            figure(html, chart, "Training loss on " + task + ", mean over the seeds of each method's chosen grid point");
        });
    }

    /** Training loss by step from a run's {@code metrics.jsonl}; empty when the file is missing. */
    private static Map<Integer, Double> losses(Path file) {
        Map<Integer, Double> losses = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return losses;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                if (o.has("loss") && o.has("step")) {
                    losses.put(o.get("step").getAsInt(), o.get("loss").getAsDouble());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(file + ": cannot read the run's metrics: " + e.getMessage(), e);
        }
        return losses;
    }

    private static void childShare(StringBuilder html, Report.Study study) {
        Map<String, List<JsonObject>> byTask = new LinkedHashMap<>();
        for (ResultsDb.StoredTrial trial : study.chosen()) {
            Path results = trial.outputDir().resolve("results.json");
            if (trial.method().equals(Method.CHILDTUNING_D.cliName()) && Files.isRegularFile(results)) {
                try {
                    JsonObject details = JsonParser.parseString(Files.readString(results)).getAsJsonObject()
                            .getAsJsonObject("method_details");
                    if (details != null && details.has("kept_fraction_per_layer")) {
                        byTask.computeIfAbsent(trial.task(), k -> new ArrayList<>())
                                .add(details.getAsJsonObject("kept_fraction_per_layer"));
                    }
                } catch (IOException | RuntimeException e) {
                    throw new ChildTuneException(results + ": cannot read the run's results: " + e.getMessage(), e);
                }
            }
        }
        if (byTask.isEmpty()) {
            return;
        }
        html.append("<h3>ChildTuning-D: share of children per layer</h3>\n");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("ChildTuning-D child network per layer").xAxisTitle("encoder layer")
                .yAxisTitle("weights kept (%)").build();
        byTask.forEach((task, runs) -> {
            List<String> layers = new ArrayList<>(runs.get(0).keySet());
            List<Double> share = layers.stream().map(layer -> runs.stream()
                    .mapToDouble(r -> r.get(layer).getAsDouble() * 100).average().orElseThrow()).toList();
            chart.addSeries(task, layers, share);
        });
        figure(html, chart, "Share of each layer's weights in the child network (mean over seeds of the chosen grid point)");
    }

    private static void figure(StringBuilder html, Chart<?, ?> chart, String caption) {
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new ChildTuneException("cannot draw the plot '" + caption + "': " + e.getMessage(), e);
        }
        html.append("<figure><img width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
