package dev.childtune.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.childtune.io.AtomicFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one benchmark run measured: the figures in the order they were taken, the sections
 * skipped and why, per-section details (FLOP counts, per-batch times, the child process's
 * memory), and the machine.
 *
 * @param details per-section JSON (by section id) beyond the figures
 * @param loadAverageAtEnd the 1-minute load average when the run ended
 */
public record BenchmarkReport(MachineInfo machine, BenchmarkOptions options, Instant started, double seconds,
        double loadAverageAtEnd, Map<String, Figure> figures, Map<String, String> skipped,
        Map<String, JsonObject> details) {

    public static final String SCHEMA = "childtune-bench/1";

    public BenchmarkReport {
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A figure by key, or null. */
    public Figure figure(String key) {
        return figures.get(key);
    }

    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("schema", SCHEMA);
        root.addProperty("started", started.toString());
        root.add("duration_s", number(seconds));
        root.add("load_average_1min_at_end", number(loadAverageAtEnd));
        root.add("machine", machine.toJson());
        root.add("options", options.toJson());
        JsonObject figs = new JsonObject();
        figures.forEach((key, f) -> figs.add(key, figureJson(f)));
        root.add("figures", figs);
        JsonObject skip = new JsonObject();
        skipped.forEach(skip::addProperty);
        root.add("skipped", skip);
        JsonObject det = new JsonObject();
        details.forEach(det::add);
        root.add("details", det);
        return root;
    }

    private static JsonObject figureJson(Figure f) {
        JsonObject o = new JsonObject();
        o.addProperty("label", f.label());
        o.addProperty("unit", f.unit());
        o.add("value", number(f.value()));
        JsonArray repeats = new JsonArray();
        f.repeats().forEach(r -> repeats.add(number(r)));
        o.add("repeats", repeats);
        if (f.target() != null) {
            JsonObject t = new JsonObject();
            t.addProperty("relation", f.target().relation());
            t.addProperty("bound", f.target().bound());
            o.add("target", t);
            Boolean met = f.met();
            o.add("met", met == null ? JsonNull.INSTANCE : new JsonPrimitive(met));
        }
        if (f.note() != null) {
            o.addProperty("note", f.note());
        }
        return o;
    }

    /** A JSON number, or null for NaN and infinities (JSON has neither). */
    static com.google.gson.JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    /** Writes {@link #toJson()} to {@code file}, atomically. */
    public void writeJson(Path file) {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson()) + "\n");
    }

    /** The text report: header, machine, one line per figure with its target, skipped sections. */
    public List<String> format() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT,
                "ChildTune benchmark: default model %s at %d×%d, BERT-base geometry at %d×%d; median of %d "
                        + "round(s) after %d warm-up",
                options.modelName(), options.batchSize(), options.seqLength(), options.baseBatchSize(),
                options.baseSeqLength(), options.rounds(), options.warmup()));
        lines.add("machine: " + machine.describe());
        boolean busy = machine.busy() || loadAverageAtEnd > 0.5 * machine.cores() + 1;
        lines.add(String.format(Locale.ROOT, "load average (1 min): %.1f at start, %.1f at end, on %d cores%s",
                machine.loadAverage(), loadAverageAtEnd, machine.cores(),
                busy ? ": the machine was busy, the figures are contended" : ""));
        lines.add(String.format(Locale.ROOT, "took %.0f s", seconds));
        lines.add("");
        int width = Math.max(6, figures.values().stream().mapToInt(f -> f.label().length()).max().orElse(6));
        String row = "%-10s %-" + width + "s %18s   %s";
        lines.add(String.format(Locale.ROOT, row, "section", "figure", "value", "target").stripTrailing());
        String lastSection = "";
        for (Figure f : figures.values()) {
            String section = f.key().substring(0, f.key().indexOf('.'));
            String shown = section.equals(lastSection) ? "" : section;
            lastSection = section;
            String target = "";
            if (f.target() != null) {
                Boolean met = f.met();
                target = (f.target().atLeast() ? "≥ " : "≤ ") + formatValue(f.target().bound(), f.unit()) + "  "
                        + (met == null ? "n/a" : met ? "met" : "NOT MET");
            }
            lines.add(String.format(Locale.ROOT, row, shown, f.label(),
                    formatValue(f.value(), f.unit()), target).stripTrailing());
        }
        if (!skipped.isEmpty()) {
            lines.add("");
            skipped.forEach((section, why) -> lines.add("skipped " + section + ": " + why));
        }
        return lines;
    }

    /** A value in its unit: fractions as percent, ratios with ×, times and rates with sensible digits. */
    static String formatValue(double v, String unit) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return switch (unit) {
            case "%" -> String.format(Locale.ROOT, "%.1f %%", v * 100);
            case "x" -> String.format(Locale.ROOT, "%.3f×", v);
            case "s" -> String.format(Locale.ROOT, v < 10 ? "%.3f s" : "%.1f s", v);
            case "MiB" -> String.format(Locale.ROOT, "%.0f MiB", v);
            case "GFLOP" -> String.format(Locale.ROOT, "%.4g GFLOP", v);
            default -> String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.2f %s", v, unit);
        };
    }
}
