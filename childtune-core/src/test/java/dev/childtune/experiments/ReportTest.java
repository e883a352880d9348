package dev.childtune.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's numbers on synthetic trial rows, against values computed by hand. */
class ReportTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path tmp;

    private final List<ResultsDb.StoredTrial> trials = new ArrayList<>();

    private void trial(String method, String task, String grid, long seed, double score) {
        trial("m · standard", Protocol.STANDARD, method, task, grid, seed, Map.of(task, score));
    }

    private void trial(String study, String protocol, String method, String task, String grid, long seed,
            Map<String, Double> scores) {
        Map<String, Evaluation> evaluations = new LinkedHashMap<>();
        scores.forEach((name, score) -> evaluations.put(name,
                new Evaluation(name, name.endsWith("mrpc") ? "f1" : "accuracy", Map.of(name.endsWith("mrpc") ? "f1" : "accuracy", score))));
        String hash = method + task + grid + seed;
        trials.add(new ResultsDb.StoredTrial(hash, study, "m", task, method, Map.of("learning-rate", grid), seed, protocol,
                new JsonObject(), "done", tmp.resolve(hash), 1.0, null, evaluations));
    }

    /** vanilla: two grid points on RTE (the second is better on dev); ChildTuning-D with other seeds on MRPC. */
    private List<Report.Study> paperLike() {
        trial("vanilla", "rte", "1", 1, 0.50);
        trial("vanilla", "rte", "1", 2, 0.52);
        trial("vanilla", "rte", "1", 3, 0.54);
        trial("vanilla", "rte", "2", 1, 0.60);
        trial("vanilla", "rte", "2", 2, 0.62);
        trial("vanilla", "rte", "2", 3, 0.64);
        trial("vanilla", "mrpc", "2", 1, 0.80);
        trial("vanilla", "mrpc", "2", 2, 0.82);
        trial("vanilla", "mrpc", "2", 3, 0.84);
        trial("childtuning-d", "rte", "2", 1, 0.63);
        trial("childtuning-d", "rte", "2", 2, 0.66);
        trial("childtuning-d", "rte", "2", 3, 0.65);
        trial("childtuning-d", "mrpc", "2", 1, 0.81);
        trial("childtuning-d", "mrpc", "2", 2, 0.80);
        trial("childtuning-d", "mrpc", "2", 4, 0.86);
        return Report.build(trials);
    }

    @Test
    void cellsAreMeanStdAndMaxOfTheBestGridPointChosenOnDev() {
        Report.Study study = paperLike().get(0);
        assertEquals(List.of("vanilla", "childtuning-d"), study.methods());
        assertEquals(List.of(new Report.Column("rte", "accuracy"), new Report.Column("mrpc", "f1")), study.columns());
        Report.Cell vanillaRte = study.cells().get("vanilla").get("rte");
        assertEquals("learning-rate=2", vanillaRte.grid(), "grid point 2 has the better dev mean (0.62 > 0.52)");
        assertEquals(0.62, vanillaRte.aggregate().mean(), EPS);
        assertEquals(0.02, vanillaRte.aggregate().std(), EPS);
        assertEquals(0.64, vanillaRte.aggregate().max(), EPS);
        Report.Cell dRte = study.cells().get("childtuning-d").get("rte");
        assertEquals(0.64666666666, dRte.aggregate().mean(), 1e-9);
        assertEquals(Math.sqrt(0.00023333333333), dRte.aggregate().std(), 1e-9);
        assertEquals(0.66, dRte.aggregate().max(), EPS);
        assertTrue(dRte.best() && !vanillaRte.best(), "the best mean per column is marked");
        // the average: per seed where all columns share the seeds (vanilla), else the mean of the means
        Report.Cell vanillaAverage = study.cells().get("vanilla").get(Report.AVERAGE);
        assertEquals(Map.of(1L, 0.70, 2L, 0.72, 3L, 0.74), roundValues(vanillaAverage.bySeed()));
        assertEquals(0.02, vanillaAverage.aggregate().std(), 1e-9);
        Report.Cell dAverage = study.cells().get("childtuning-d").get(Report.AVERAGE);
        assertEquals((0.64666666666 + 0.82333333333) / 2, dAverage.aggregate().mean(), 1e-9);
        assertTrue(Double.isNaN(dAverage.aggregate().std()));
        assertTrue(dAverage.best());
    }

    @Test
    void significanceIsPairedWhereTheSeedsMatchElseWelch() {
        Report.Study study = paperLike().get(0);
        Report.Significance paired = study.cells().get("childtuning-d").get("rte").vsVanilla();
        assertEquals("paired", paired.test());
        // differences 0.03, 0.04, 0.01: mean 0.02667, sd 0.015275, t = mean / (sd / sqrt 3); with 2
        // degrees of freedom the two-sided p is exactly 1 - t / sqrt(2 + t^2)
        double t = (0.08 / 3) / (Math.sqrt(0.00023333333333) / Math.sqrt(3));
        assertEquals(t, paired.t(), 1e-6);
        assertEquals(1 - t / Math.sqrt(2 + t * t), paired.p(), 1e-6);
        Report.Significance welch = study.cells().get("childtuning-d").get("mrpc").vsVanilla();
        assertEquals("welch", welch.test(), "seeds 1, 2, 4 against 1, 2, 3");
        double welchT = (0.82333333333 - 0.82) / Math.sqrt(0.00103333333 / 3 + 0.0004 / 3);
        assertEquals(welchT, welch.t(), 1e-6);
        assertTrue(welch.p() > 0.8 && welch.p() < 1, "no difference to speak of: " + welch.p());
        assertNull(study.cells().get("vanilla").get("rte").vsVanilla());
    }

    @Test
    void transferStudiesSelectOnTheSourceDevAndReportTheTarget() {
        String study = "m · task-transfer";
        // grid 1 is better on RTE's dev split, grid 2 would look better on the target: grid 1 is reported
        trial(study, Protocol.TASK_TRANSFER, "vanilla", "rte", "1", 1, Map.of("rte", 0.70, "rte→mrpc", 0.60));
        trial(study, Protocol.TASK_TRANSFER, "vanilla", "rte", "2", 1, Map.of("rte", 0.60, "rte→mrpc", 0.90));
        Report.Study s = Report.build(trials).get(0);
        assertEquals(List.of(new Report.Column("rte→mrpc", "f1")), s.columns());
        assertEquals(0.60, s.cells().get("vanilla").get("rte→mrpc").aggregate().mean(), EPS);
    }

    @Test
    void markdownAndCsvShowTheTable() {
        List<Report.Study> studies = paperLike();
        String md = ReportFormat.MD.render(studies);
        assertTrue(md.contains("| method | rte (accuracy) | mrpc (f1) | average |\n"), md);
        assertTrue(md.contains("| vanilla | 62.00 ± 2.00 (64.00) | 82.00 ± 2.00 (84.00) | 72.00 ± 2.00 (74.00) |\n"), md);
        assertTrue(md.contains("| childtuning-d | **64.67 ± 1.53 (66.00)** | **82.33 ± 3.21 (86.00)** | **73.50** |\n"), md);
        assertTrue(md.contains("- vanilla on rte: learning-rate=2; seeds [1, 2, 3]\n"), md);
        assertTrue(md.contains("| childtuning-d | p = 0.0942 (paired, t = 3.02, n = 3) | p = "), md);
        String csv = ReportFormat.CSV.render(studies);
        assertTrue(csv.startsWith("study,protocol,method,column,metric,grid,seeds,mean,std,max,min,best,test,t,p\n"), csv);
        assertTrue(csv.contains("\nm · standard,standard,vanilla,rte,accuracy,learning-rate=2,3,0.62"), csv);
        assertEquals(1 + 6, csv.lines().count(), "two methods × (two tasks + average)");
    }

    @Test
    void theHtmlPageEmbedsThePlotsAsPngImages() throws IOException {
        List<Report.Study> studies = paperLike();
        for (ResultsDb.StoredTrial trial : trials) {
            Files.createDirectories(trial.outputDir());
            Files.writeString(trial.outputDir().resolve("metrics.jsonl"),
                    "{\"step\": 1, \"loss\": 0.9}\n{\"step\": 2, \"loss\": 0.7}\n{\"step\": 2, \"eval_accuracy\": 0.6}\n");
            Files.writeString(trial.outputDir().resolve("results.json"),
                    "{\"method_details\": {\"kept_fraction_per_layer\": {\"0\": 0.05, \"1\": 0.15}}}");
        }
        String html = ReportFormat.HTML.render(studies);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
        assertTrue(html.contains("<td class=\"best\""), "the best cells are marked");
        Matcher images = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int count = 0;
        while (images.find()) {
            byte[] png = Base64.getDecoder().decode(images.group(1));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
            assertTrue(png.length > 2000, "a drawn chart, not an empty image: " + png.length + " bytes");
            count++;
        }
        assertEquals(2 + 2 + 1, count, "spread per task, a learning curve per task, the child network per layer");
        assertTrue(html.contains("ChildTuning-D: share of children per layer"));
        assertFalse(html.contains("src=\"http"), "self-contained");
    }

    private static Map<Long, Double> roundValues(Map<Long, Double> values) {
        Map<Long, Double> rounded = new LinkedHashMap<>();
        values.forEach((k, v) -> rounded.put(k, Math.round(v * 1e9) / 1e9));
        return rounded;
    }
}
