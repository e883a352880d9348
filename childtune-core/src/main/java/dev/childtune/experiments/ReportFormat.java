package dev.childtune.experiments;

import dev.childtune.ChildTuneException;
import dev.childtune.metrics.SeedAggregate;
import dev.childtune.tuning.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** The report as Markdown, CSV or a self-contained HTML page with plots. */
public enum ReportFormat {
    MD, HTML, CSV;

    public static ReportFormat fromName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ChildTuneException("unknown report format '" + name + "' (expected md, html or csv)");
        }
    }

    private static final String LEGEND = "Best grid point per method and task chosen on the mean dev score; cells are "
            + "mean ± std (max) over seeds, ×100; **bold**: the best mean in the column; † p < 0.05 and ‡ p < 0.01 "
            + "against vanilla (two-sided t-test across seeds, paired where the seeds match, else Welch).";

    public String render(List<Report.Study> studies) {
        return switch (this) {
            case MD -> markdown(studies);
            case CSV -> csv(studies);
            case HTML -> HtmlReport.render(studies, LEGEND.replace("**bold**", "bold"));
        };
    }

    private static String markdown(List<Report.Study> studies) {
        StringBuilder md = new StringBuilder("# ChildTune sweep report\n");
        if (studies.isEmpty()) {
            md.append("\nNo finished trials yet.\n");
        }
        for (Report.Study study : studies) {
            md.append("\n## ").append(study.title()).append("\n\n").append(LEGEND).append("\n\n");
            List<String> header = new ArrayList<>(List.of("method"));
            study.columns().forEach(c -> header.add(c.name() + " (" + c.metric() + ")"));
            header.add(Report.AVERAGE);
            md.append(row(header)).append(row(header.stream().map(h -> "---").toList()));
            for (String method : study.methods()) {
                List<String> cells = new ArrayList<>(List.of(method));
                Map<String, Report.Cell> row = study.cells().get(method);
                study.columns().forEach(c -> cells.add(cellText(row.get(c.name()), true)));
                cells.add(cellText(row.get(Report.AVERAGE), true));
                md.append(row(cells));
            }
            md.append("\nSeeds and grid points chosen:\n\n");
            for (String method : study.methods()) {
                study.cells().get(method).forEach((column, cell) -> {
                    if (!column.equals(Report.AVERAGE)) {
                        md.append("- ").append(method).append(" on ").append(column).append(": ").append(cell.grid())
                                .append("; seeds ").append(cell.bySeed().keySet()).append('\n');
                    }
                });
            }
            md.append("\nAgainst vanilla:\n\n");
            List<String> sigHeader = new ArrayList<>(List.of("method"));
            study.columns().forEach(c -> sigHeader.add(c.name()));
            md.append(row(sigHeader)).append(row(sigHeader.stream().map(h -> "---").toList()));
            for (String method : study.methods().stream().filter(m -> !m.equals(Method.VANILLA.cliName())).toList()) {
                List<String> cells = new ArrayList<>(List.of(method));
                study.columns().forEach(c -> cells.add(significanceText(study.cells().get(method).get(c.name()))));
                md.append(row(cells));
            }
        }
        return md.toString();
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** {@code 62.45 ± 1.20 (64.01)}, bold when best, with † / ‡ for significance; "–" when missing. */
    static String cellText(Report.Cell cell, boolean markdown) {
        if (cell == null) {
            return "–";
        }
        SeedAggregate a = cell.aggregate();
        String text = percent(a.mean()) + (Double.isNaN(a.std()) ? "" : " ± " + percent(a.std()))
                + (Double.isNaN(a.max()) ? "" : " (" + percent(a.max()) + ")");
        if (cell.best() && markdown) {
            text = "**" + text + "**";
        }
        return text + marker(cell.vsVanilla());
    }

    static String marker(Report.Significance s) {
        if (s == null || Double.isNaN(s.p())) {
            return "";
        }
        return s.p() < 0.01 ? " ‡" : s.p() < 0.05 ? " †" : "";
    }

    static String significanceText(Report.Cell cell) {
        if (cell == null || cell.vsVanilla() == null) {
            return "–";
        }
        Report.Significance s = cell.vsVanilla();
        return String.format(Locale.ROOT, "p = %s (%s, t = %.2f, n = %d)", Double.isNaN(s.p()) ? "n/a"
                : String.format(Locale.ROOT, "%.3g", s.p()), s.test(), s.t(), s.n());
    }

    static String percent(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value * 100) : "–";
    }

    private static String csv(List<Report.Study> studies) {
        StringBuilder csv = new StringBuilder(
                "study,protocol,method,column,metric,grid,seeds,mean,std,max,min,best,test,t,p\n");
        for (Report.Study study : studies) {
            for (String method : study.methods()) {
                study.cells().get(method).forEach((column, cell) -> {
                    String metric = study.columns().stream().filter(c -> c.name().equals(column))
                            .map(Report.Column::metric).findFirst().orElse("");
                    SeedAggregate a = cell.aggregate();
                    Report.Significance s = cell.vsVanilla();
                    StringJoiner line = new StringJoiner(",");
                    for (Object field : new Object[] {study.title(), study.protocol(), method, column, metric, cell.grid(),
                        a.n(), a.mean(), a.std(), a.max(), a.min(), cell.best(), s == null ? "" : s.test(),
                        s == null ? "" : s.t(), s == null ? "" : s.p()}) {
                        line.add(csvField(field));
                    }
                    csv.append(line).append('\n');
                });
            }
        }
        return csv.toString();
    }

    private static String csvField(Object value) {
        String text = value instanceof Double d && Double.isNaN(d) ? "" : String.valueOf(value);
        return text.contains(",") || text.contains("\"") || text.contains("\n")
                ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
