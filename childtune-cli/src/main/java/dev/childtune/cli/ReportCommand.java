package dev.childtune.cli;

import dev.childtune.experiments.Report;
import dev.childtune.experiments.ReportFormat;
import dev.childtune.experiments.ResultsDb;
import dev.childtune.io.AtomicFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code childtune report}: the paper's tables (and plots) from a results database. */
@Command(name = "report", header = "Tables of a sweep's results: mean ± std (max) over seeds per method and task, best grid point on dev, t-tests against vanilla.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--format", defaultValue = "md", paramLabel = "FORMAT",
            description = "md (Markdown tables), html (a self-contained page with plots) or csv.")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the report here (default: standard output).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ReportFormat chosen = ReportFormat.fromName(format);
        if (chosen == ReportFormat.HTML) {
            System.setProperty("java.awt.headless", "true");
        }
        String text = chosen.render(Report.build(ResultsDb.openExisting(database.jdbcUrl()).trials()));
        if (output != null) {
            AtomicFiles.writeString(output, text);
            spec.commandLine().getErr().println("report: " + output);
        } else {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
