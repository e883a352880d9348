package dev.childtune.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.childtune.model.ModelConfig;
import dev.childtune.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One whole run on the tiny fixture model at tiny sizes: every section reports, nothing is timed against a bound. */
class PerformanceBenchmarkSmokeTest {
    @TempDir
    Path tmp;

    /** A GLUE RTE folder of 20 short pairs in the fixture's vocabulary (w5 ... w127), of varied lengths. */
    private static Path tinyRte(Path dir) throws Exception {
        Files.createDirectories(dir);
        Random random = new Random(1);
        List<String> rows = new ArrayList<>(List.of("index\tsentence1\tsentence2\tlabel"));
        for (int i = 0; i < 20; i++) {
            rows.add(i + "\t" + words(random, 1 + random.nextInt(6)) + "\t" + words(random, 1 + random.nextInt(3)) + "\t"
                    + (random.nextBoolean() ? "entailment" : "not_entailment"));
        }
        Files.write(dir.resolve("train.tsv"), rows);
        Files.write(dir.resolve("dev.tsv"), rows.subList(0, 5));
        return dir;
    }

    private static String words(Random random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append("w").append(5 + random.nextInt(120));
        }
        return b.toString();
    }

    @Test
    void everySectionReportsOnTheTinyModel() throws Exception {
        Path model = TinyModels.bertWithTokenizer(tmp.resolve("bert"));
        Path rte = tinyRte(tmp.resolve("RTE"));
        JsonObject json = new JsonObject();
        json.addProperty("model_type", "bert");
        json.addProperty("vocab_size", 128);
        json.addProperty("hidden_size", 16);
        json.addProperty("num_hidden_layers", 1);
        json.addProperty("num_attention_heads", 2);
        json.addProperty("intermediate_size", 32);
        json.addProperty("max_position_embeddings", 64);
        ModelConfig tinyBase = ModelConfig.fromJson(json, "tiny base");
        BenchmarkOptions options = new BenchmarkOptions(model, "tiny", 2, 8, tinyBase, 2, 8, 1, 1, 32,
                EnumSet.allOf(Section.class), rte, 2, 1, 7, Device.cpu());
        List<String> progress = new ArrayList<>();
        BenchmarkReport report = PerformanceBenchmark.run(options, progress::add);

        List<String> expected = new ArrayList<>(List.of("gemm.peak_gflops", "step.seconds",
                "step.tokens_per_s", "step.gflop", "step.gflops", "step.mfu",
                "overhead.childtuning_f_ratio", "overhead.childtuning_d_ratio", "fisher.examples_per_s",
                "fisher.forward_backward_examples_per_s", "fisher.ratio", "inference.examples_per_s",
                "profile.step_ms", "profile.matrix_products_share", "profile.matrix_products_gflops", "base.mfu",
                "memory.peak_rss_mib"));
        expected.addAll(List.of("padding.ratio", "padding.token_ratio", "padding.dynamic_epoch_seconds"));
        for (String key : expected) {
            Figure f = report.figure(key);
            assertTrue(f != null, key + " missing: " + report.figures().keySet() + " skipped " + report.skipped());
            assertTrue(Double.isFinite(f.value()) && f.value() > 0, key + " = " + f.value());
        }
        assertEquals(1, report.figure("step.seconds").repeats().size());
        assertTrue(report.figure("step.mfu").target() != null);
        assertEquals(3 + 1 + 1, report.figure("gemm.peak_gflops").repeats().size(),
                "the section's 3 repeats, then one per timed round of the default model and of the base geometry");
        assertEquals(List.of("gemm.peak_gflops", "gemm.median_gflops"),
                List.copyOf(report.figures().keySet()).subList(0, 2), "the GEMM figures come first");
        double tokens = report.figure("padding.token_ratio").value();
        assertTrue(tokens > 0 && tokens < 1, "dynamic padding pads less than to the full length: " + tokens);
        assertEquals(10, report.details().get("padding").get("batches_per_epoch").getAsInt());
        assertTrue(report.skipped().isEmpty(), report.skipped().toString());
        List<String> sectionRuns = new ArrayList<>();
        for (String key : report.figures().keySet()) {
            String section = key.substring(0, key.indexOf('.'));
            if (sectionRuns.isEmpty() || !sectionRuns.get(sectionRuns.size() - 1).equals(section)) {
                sectionRuns.add(section);
            }
        }
        assertEquals(List.of("gemm", "step", "overhead", "fisher", "inference", "profile", "base", "padding", "memory"),
                sectionRuns,
                "figures grouped by section, in the order of the report");
        assertTrue(report.details().get("default_model").has("training_flops"));
        double shares = report.figures().entrySet().stream()
                .filter(e -> e.getKey().startsWith("profile.") && e.getKey().endsWith("_share"))
                .mapToDouble(e -> e.getValue().value()).sum();
        assertEquals(1.0, shares, 0.1, "the kinds and the time outside the engine make up the profiled step");
        assertTrue(report.details().get("profile").getAsJsonArray("top_operators").size() > 5);
        assertFalse(report.details().get("default_model").get("grad_mode_during_evaluation").getAsBoolean(),
                "evaluation runs without autograd");
        assertFalse(progress.isEmpty());
        assertTrue(String.join("\n", report.format()).contains("MFU"));
        Path out = tmp.resolve("bench.json");
        report.writeJson(out);
        assertTrue(Files.readString(out).contains("\"memory.peak_rss_mib\""));
    }
}
