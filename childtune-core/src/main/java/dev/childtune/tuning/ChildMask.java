package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.DType;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.model.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ChildTuning-D's child network: a 0/1 mask per eligible tensor (Hugging Face names), with the
 * threshold that chose it. Saved as safetensors (U8 masks, and optionally the F32 Fisher scores
 * under {@code fisher.<name>}) so it can be reused and inspected.
 */
public final class ChildMask implements AutoCloseable {
    private static final Pattern LAYER = Pattern.compile("layer\\.(\\d+)\\.(.+)\\.(weight|bias|[a-z_]+)$");
    private static final String MASK_PREFIX = "mask.";
    private static final String FISHER_PREFIX = "fisher.";

    private final Map<String, NDArray> masks;
    private final double threshold;
    private final NDManager manager;
    /** How this run estimated the mask (empty for a mask read from a file). */
    private final JsonObject estimation = new JsonObject();

    private ChildMask(Map<String, NDArray> masks, double threshold, NDManager manager) {
        this.masks = masks;
        this.threshold = threshold;
        this.manager = manager;
    }

    /**
     * Keeps the top {@code reserveP} of the Fisher scores: one global threshold at the
     * {@code (1 − p)·100}-th percentile (numpy's linear interpolation), {@code mask = F ≥ threshold}
     * compared in float32.
     */
    public static ChildMask fromFisher(Map<String, NDArray> scores, double reserveP, NDManager parent) {
        if (!(reserveP > 0 && reserveP <= 1)) {
            throw new ChildTuneException("reserve probability must be in (0, 1], got " + reserveP);
        }
        double threshold = Percentile.of(scores.values(), (1 - reserveP) * 100);
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> masks = new LinkedHashMap<>();
        scores.forEach((name, f) -> {
            NDArray keep = f.gte((float) threshold).toType(DataType.FLOAT32, false);
            keep.attach(manager);
            masks.put(name, keep);
        });
        return new ChildMask(masks, threshold, manager);
    }

    /** Reads a mask written by {@link #save}. */
    public static ChildMask load(Path file, NDManager parent) {
        Map<String, TensorData> tensors = SafeTensors.read(file);
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> masks = new LinkedHashMap<>();
        tensors.forEach((key, t) -> {
            if (key.startsWith(MASK_PREFIX)) {
                long[] bits = t.toLongs();
                float[] values = new float[bits.length];
                for (int i = 0; i < bits.length; i++) {
                    values[i] = bits[i];
                }
                masks.put(key.substring(MASK_PREFIX.length()),
                        Tensors.toFloatArray(manager, TensorData.ofFloats(t.shape(), values)));
            }
        });
        if (masks.isEmpty()) {
            manager.close();
            throw new ChildTuneException(file + ": no 'mask.<parameter>' tensors: not a ChildTune mask file");
        }
        double threshold = tensors.containsKey("threshold") ? tensors.get("threshold").toDoubles()[0] : Double.NaN;
        return new ChildMask(masks, threshold, manager);
    }

    /** Writes the masks (U8), the threshold and, when given, the Fisher scores (F32). */
    public void save(Path file, Map<String, NDArray> fisherOrNull) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        masks.forEach((name, m) -> {
            float[] values = m.toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length);
            for (float v : values) bytes.put((byte) (v != 0 ? 1 : 0));
            out.put(MASK_PREFIX + name, new TensorData(DType.U8, m.getShape().getShape(), bytes.flip()));
        });
        if (fisherOrNull != null) {
            fisherOrNull.forEach((name, f) -> out.put(FISHER_PREFIX + name, Tensors.fromArray(f)));
        }
        ByteBuffer t = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(threshold).flip();
        out.put("threshold", new TensorData(DType.F64, new long[0], t));
        SafeTensors.write(file, out, Map.of("format", "pt", "content", "childtune-mask"));
    }

    public Map<String, NDArray> masks() {
        return masks;
    }

    public double threshold() {
        return threshold;
    }

    /** Kept and total counts over all masked tensors. */
    public long[] keptAndTotal() {
        long kept = 0;
        long total = 0;
        for (NDArray m : masks.values()) {
            kept += (long) m.sum().getFloat();
            total += m.size();
        }
        return new long[] {kept, total};
    }

    /**
     * The share of children overall, per layer and per module type (query, key, value,
     * attention.output.dense, intermediate.dense, output.dense, LayerNorms, ...; for XLNet
     * rel_attn.q, ..., rel_attn.seg_embed, ff.layer_1, ...).
     */
    public JsonObject summary() {
        Map<String, long[]> byLayer = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
        Map<String, long[]> byModule = new TreeMap<>();
        masks.forEach((name, m) -> {
            long kept = (long) m.sum().getFloat();
            Matcher matcher = LAYER.matcher(name);
            if (matcher.find()) {
                add(byLayer, matcher.group(1), kept, m.size());
                String module = matcher.group(2).replace("attention.self.", "");
                String leaf = matcher.group(3);
                // A bare parameter (XLNet's rel_attn.q, rel_attn.r_w_bias, ...) is its own module.
                add(byModule, leaf.equals("weight") || leaf.equals("bias") ? module : module + "." + leaf, kept,
                        m.size());
            } else {
                add(byModule, name, kept, m.size());
            }
        });
        long[] all = keptAndTotal();
        JsonObject o = new JsonObject();
        o.addProperty("threshold", threshold);
        o.addProperty("kept", all[0]);
        o.addProperty("eligible", all[1]);
        o.addProperty("kept_fraction", (double) all[0] / all[1]);
        o.add("kept_fraction_per_layer", fractions(byLayer));
        o.add("kept_fraction_per_module", fractions(byModule));
        if (estimation.size() > 0) {
            o.add("estimation", estimation.deepCopy());
        }
        return o;
    }

    /** Records, for the summary, how long the Fisher pass over how many batches and the threshold and masks took. */
    void recordEstimation(double fisherSeconds, int fisherBatches, double maskSeconds) {
        estimation.addProperty("fisher_seconds", fisherSeconds);
        estimation.addProperty("fisher_batches", fisherBatches);
        estimation.addProperty("mask_seconds", maskSeconds);
    }

    private static void add(Map<String, long[]> counts, String key, long kept, long total) {
        long[] c = counts.computeIfAbsent(key, k -> new long[2]);
        c[0] += kept;
        c[1] += total;
    }

    private static JsonObject fractions(Map<String, long[]> counts) {
        JsonObject o = new JsonObject();
        counts.forEach((k, c) -> o.addProperty(k, (double) c[0] / c[1]));
        return o;
    }

    @Override
    public void close() {
        manager.close();
    }
}
