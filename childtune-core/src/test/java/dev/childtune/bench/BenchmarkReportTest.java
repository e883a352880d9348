package dev.childtune.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON's shape and the text table, on a report made by hand (no engine). */
class BenchmarkReportTest {
    @TempDir
    Path tmp;

    private static BenchmarkReport report() {
        MachineInfo machine = new MachineInfo(2, "Test CPU", 1 << 20, "Linux", "JVM 17", "PyTorch", "2.7.1", "0.36.0", 2,
                1, 3.5);
        BenchmarkOptions options = new BenchmarkOptions(Path.of("model"), "minilm", 32, 128, BenchmarkOptions.bertBase(),
                16, 128, 3, 1, 2048, EnumSet.of(Section.GEMM, Section.STEP, Section.PADDING), null, 12, 3, 42, Device.cpu());
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("gemm.peak_gflops", Figure.of("gemm.peak_gflops", "peak", "GFLOP/s", 100, List.of(90.0, 100.0, 95.0)));
        figures.put("step.mfu", Figure.of("step.mfu", "MFU", "%", 0.7, List.of(0.7, 0.6, 0.8))
                .withTarget(Figure.Target.atLeast(0.65)));
        figures.put("base.mfu", Figure.of("base.mfu", "MFU base", "%", Double.NaN, List.of(Double.NaN))
                .withTarget(Figure.Target.atLeast(0.75)).withNote("needs the gemm section"));
        figures.put("overhead.childtuning_f_ratio", Figure.of("overhead.childtuning_f_ratio", "F", "x", 1.2,
                List.of(1.2)).withTarget(Figure.Target.atMost(1.05)));
        JsonObject detail = new JsonObject();
        detail.addProperty("tokens", 4096);
        return new BenchmarkReport(machine, options, Instant.parse("2026-01-01T00:00:00Z"), 12.5, 4.0, figures,
                Map.of("padding", "no RTE data"), Map.of("default_model", detail));
    }

    @Test
    void jsonKeepsEveryFigureItsRepeatsTargetsAndTheMachine() throws Exception {
        Path file = tmp.resolve("out/bench.json");
        report().writeJson(file);
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals(BenchmarkReport.SCHEMA, root.get("schema").getAsString());
        assertEquals(12.5, root.get("duration_s").getAsDouble());
        JsonObject machine = root.getAsJsonObject("machine");
        assertEquals(2, machine.get("cores").getAsInt());
        assertEquals("Test CPU", machine.get("cpu_model").getAsString());
        assertEquals(2, machine.get("engine_threads").getAsInt());
        assertEquals("2.7.1", machine.get("libtorch_version").getAsString());
        assertTrue(machine.get("busy_at_start").getAsBoolean(), "load 3.5 on 2 cores is busy");
        assertEquals(32, root.getAsJsonObject("options").get("batch_size").getAsInt());
        assertEquals(768, root.getAsJsonObject("options").getAsJsonObject("base_geometry").get("hidden_size").getAsInt());

        JsonObject figures = root.getAsJsonObject("figures");
        assertEquals(List.of("gemm.peak_gflops", "step.mfu", "base.mfu", "overhead.childtuning_f_ratio"),
                List.copyOf(figures.keySet()));
        JsonObject peak = figures.getAsJsonObject("gemm.peak_gflops");
        assertEquals("GFLOP/s", peak.get("unit").getAsString());
        assertEquals(100.0, peak.get("value").getAsDouble());
        assertEquals(3, peak.getAsJsonArray("repeats").size());
        assertFalse(peak.has("target"));
        JsonObject mfu = figures.getAsJsonObject("step.mfu");
        assertEquals(">=", mfu.getAsJsonObject("target").get("relation").getAsString());
        assertEquals(0.65, mfu.getAsJsonObject("target").get("bound").getAsDouble());
        assertTrue(mfu.get("met").getAsBoolean());
        JsonObject missing = figures.getAsJsonObject("base.mfu");
        assertTrue(missing.get("value").isJsonNull(), "NaN is written as null");
        assertTrue(missing.get("met").isJsonNull());
        assertEquals("needs the gemm section", missing.get("note").getAsString());
        assertFalse(figures.getAsJsonObject("overhead.childtuning_f_ratio").get("met").getAsBoolean());
        assertEquals("no RTE data", root.getAsJsonObject("skipped").get("padding").getAsString());
        assertEquals(4096, root.getAsJsonObject("details").getAsJsonObject("default_model").get("tokens").getAsInt());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside the JSON");
        }
    }

    @Test
    void textShowsTargetsAndContention() {
        String text = String.join("\n", report().format());
        assertTrue(text.contains("the machine was busy, the figures are contended"), text);
        assertTrue(text.contains("70.0 %") && text.contains("≥ 65.0 %  met"), text);
        assertTrue(text.contains("1.200×") && text.contains("≤ 1.050×  NOT MET"), text);
        assertTrue(text.contains("n/a"), text);
        assertTrue(text.contains("skipped padding: no RTE data"), text);
    }
}
