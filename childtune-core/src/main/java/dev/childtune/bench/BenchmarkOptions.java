package dev.childtune.bench;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.childtune.model.ModelConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * What to measure and at which sizes.
 *
 * @param modelFolder the default model's folder (Hugging Face layout)
 * @param modelName how the report names it (e.g. {@code minilm})
 * @param batchSize sequences per batch of the default model (the issue: 32)
 * @param seqLength tokens per sequence of the default model (the issue: 128); also the padded
 *     length and the truncation length of the padding section
 * @param base the geometry of the second training-step figure (the issue: BERT-base), random weights
 * @param baseBatchSize its batch (the issue: 16)
 * @param baseSeqLength its sequence length (the issue: 128)
 * @param rounds timed repeats of each figure, after {@code warmup} untimed ones
 * @param warmup untimed rounds first (kernels load, caches fill, the allocator settles)
 * @param gemmSize the side of the square fp32 matrices of the GEMM peak
 * @param sections what to run
 * @param rteFolder the GLUE RTE folder with {@code train.tsv}, or null (the padding section is then skipped)
 * @param paddingBatches batches of each RTE epoch order timed, evenly spaced; 0 times the whole epoch
 * @param memorySteps training steps the child JVM of the memory section runs (after one warm-up step)
 * @param seed seeds the synthetic batches, dropout, ChildTuning-F and the RTE order
 * @param device where the models and the GEMM run
 */
public record BenchmarkOptions(Path modelFolder, String modelName, int batchSize, int seqLength, ModelConfig base,
        int baseBatchSize, int baseSeqLength, int rounds, int warmup, int gemmSize, Set<Section> sections,
        Path rteFolder, int paddingBatches, int memorySteps, long seed, Device device) {

    public BenchmarkOptions {
        sections = sections.isEmpty() ? EnumSet.noneOf(Section.class) : EnumSet.copyOf(sections);
        if (batchSize < 1 || seqLength < 2 || baseBatchSize < 1 || baseSeqLength < 2) {
            throw new IllegalArgumentException("batch sizes must be ≥ 1 and sequence lengths ≥ 2");
        }
        if (rounds < 1 || warmup < 0 || gemmSize < 1 || paddingBatches < 0 || memorySteps < 1) {
            throw new IllegalArgumentException("rounds, GEMM size and memory steps must be ≥ 1; warm-up and "
                    + "padding batches ≥ 0");
        }
    }

    /** BERT-base's geometry: 12 layers, 768 wide, 12 heads, 3072 feed-forward, vocabulary 30522, 2 labels. */
    public static ModelConfig bertBase() {
        JsonObject json = new JsonObject();
        json.addProperty("model_type", "bert");
        json.addProperty("vocab_size", 30522);
        json.addProperty("hidden_size", 768);
        json.addProperty("num_hidden_layers", 12);
        json.addProperty("num_attention_heads", 12);
        json.addProperty("intermediate_size", 3072);
        json.addProperty("hidden_act", "gelu");
        json.addProperty("hidden_dropout_prob", 0.1);
        json.addProperty("attention_probs_dropout_prob", 0.1);
        json.addProperty("max_position_embeddings", 512);
        json.addProperty("type_vocab_size", 2);
        json.addProperty("num_labels", 2);
        return ModelConfig.fromJson(json, "BERT-base geometry");
    }

    /** The sizes: default model 32×128, BERT-base 16×128, 5 rounds after 1 warm-up, 2048³ GEMM. */
    public static BenchmarkOptions defaults(Path modelFolder, String modelName) {
        return new BenchmarkOptions(modelFolder, modelName, 32, 128, bertBase(), 16, 128, 5, 1, 2048,
                EnumSet.allOf(Section.class), null, 12, 3, 42, Device.cpu());
    }

    public boolean runs(Section section) {
        return sections.contains(section);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", modelName);
        o.addProperty("model_folder", modelFolder == null ? null : modelFolder.toString());
        o.addProperty("batch_size", batchSize);
        o.addProperty("seq_length", seqLength);
        o.add("base_geometry", base.json().deepCopy());
        o.addProperty("base_batch_size", baseBatchSize);
        o.addProperty("base_seq_length", baseSeqLength);
        o.addProperty("rounds", rounds);
        o.addProperty("warmup", warmup);
        o.addProperty("gemm_size", gemmSize);
        JsonArray s = new JsonArray();
        sections.forEach(x -> s.add(x.id()));
        o.add("sections", s);
        o.addProperty("rte_folder", rteFolder == null ? null : rteFolder.toString());
        o.addProperty("padding_batches", paddingBatches);
        o.addProperty("memory_steps", memorySteps);
        o.addProperty("seed", seed);
        o.addProperty("device", device.toString());
        return o;
    }
}
