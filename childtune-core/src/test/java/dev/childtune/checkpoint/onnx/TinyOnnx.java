package dev.childtune.checkpoint.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Writes tiny BERT-shaped ONNX files the way the PyTorch exporter lays them out (named biases
 * and LayerNorms, anonymous transposed MatMul weights), with an encoder of its own so the tests
 * do not trust the decoder under test.
 */
final class TinyOnnx {
    static final int VOCAB = 5;
    static final int HIDDEN = 4;
    static final int HEADS = 2;
    static final int INTERMEDIATE = 6;
    static final int MAX_POSITIONS = 3;
    static final int TYPE_VOCAB = 2;

    /** How the graph reveals the number of attention heads. */
    enum HeadInfo { RESHAPE, SCALE, NONE }

    private TinyOnnx() {}

    /**
     * A one-layer BERT.
     *
     * @param prefix prepended to every named initializer ("" or "bert.")
     * @param omit Hugging Face names (without prefix) of parameters to leave out
     */
    static byte[] bert(String prefix, HeadInfo headInfo, Set<String> omit) {
        Proto graph = new Proto();
        named(graph, prefix, omit, "embeddings.word_embeddings.weight", VOCAB, HIDDEN);
        named(graph, prefix, omit, "embeddings.position_embeddings.weight", MAX_POSITIONS, HIDDEN);
        named(graph, prefix, omit, "embeddings.token_type_embeddings.weight", TYPE_VOCAB, HIDDEN);
        // one LayerNorm weight stored in float_data rather than raw_data, as some exporters do
        graph.message(5, new Proto().varint(1, HIDDEN).varint(2, 1).string(8, prefix + "embeddings.LayerNorm.weight")
                .packedFloats(4, values(HIDDEN, 7)));
        named(graph, prefix, omit, "embeddings.LayerNorm.bias", HIDDEN);
        String l = "encoder.layer.0.";
        for (String norm : List.of("attention.output.LayerNorm.", "output.LayerNorm.")) {
            named(graph, prefix, omit, l + norm + "weight", HIDDEN);
            named(graph, prefix, omit, l + norm + "bias", HIDDEN);
        }
        String query = linear(graph, prefix, omit, l + "attention.self.query", "x", 100, HIDDEN, HIDDEN);
        String key = linear(graph, prefix, omit, l + "attention.self.key", "x", 101, HIDDEN, HIDDEN);
        linear(graph, prefix, omit, l + "attention.self.value", "x", 102, HIDDEN, HIDDEN);
        linear(graph, prefix, omit, l + "attention.output.dense", "x", 103, HIDDEN, HIDDEN);
        String intermediate = linear(graph, prefix, omit, l + "intermediate.dense", "x", 104, HIDDEN, INTERMEDIATE);
        String output = linear(graph, prefix, omit, l + "output.dense", intermediate, 105, INTERMEDIATE, HIDDEN);

        switch (headInfo) {
            case RESHAPE -> {
                graph.message(1, node("Shape", List.of(query), "q_shape"));
                graph.message(1, constantLongs("heads", HEADS));
                graph.message(1, constantLongs("head_size", HIDDEN / HEADS));
                graph.message(1, node("Concat", List.of("q_shape", "heads", "head_size"), "q_split"));
                graph.message(1, node("Reshape", List.of(query, "q_split"), "q_heads"));
            }
            case SCALE -> {
                graph.message(1, node("MatMul", List.of(query, key), "scores"));
                graph.message(1, new Proto().string(2, "scale").string(4, "Constant").message(5, new Proto()
                        .string(1, "value").varint(20, 4).message(5, new Proto().varint(2, 1)
                                .bytes(9, floatBytes((float) Math.sqrt(HIDDEN / HEADS))))));
                graph.message(1, node("Div", List.of("scores", "scale"), "scaled"));
            }
            case NONE -> { }
        }
        graph.message(11, new Proto().string(1, "x"));
        graph.message(12, new Proto().string(1, output));
        return new Proto().varint(1, 8).string(2, "tiny-test").message(7, graph).toByteArray();
    }

    /** The value at ({@code row}, {@code col}) of the anonymous {@code [in, out]} matrix with the given seed. */
    static float onnxWeight(int seed, int row, int col, int cols) {
        return seed + (row * cols + col) / 100f;
    }

    private static String linear(Proto graph, String prefix, Set<String> omit, String module, String input,
            int seed, int in, int out) {
        String weight = "onnx::MatMul_" + seed;
        float[] values = new float[in * out];
        for (int r = 0; r < in; r++) {
            for (int c = 0; c < out; c++) {
                values[r * out + c] = onnxWeight(seed, r, c, out);
            }
        }
        graph.message(5, tensor(weight, values, in, out));
        named(graph, prefix, omit, module + ".bias", out);
        String product = module + "/MatMul_output_0";
        String sum = module + "/Add_output_0";
        graph.message(1, node("MatMul", List.of(input, weight), product));
        graph.message(1, node("Add", List.of(prefix + module + ".bias", product), sum));
        return sum;
    }

    private static void named(Proto graph, String prefix, Set<String> omit, String name, long... dims) {
        if (!omit.contains(name)) {
            int n = (int) Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            graph.message(5, tensor(prefix + name, values(n, name.length()), dims));
        }
    }

    private static float[] values(int n, int seed) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = seed + i / 10f;
        }
        return values;
    }

    private static Proto tensor(String name, float[] values, long... dims) {
        Proto tensor = new Proto();
        for (long dim : dims) {
            tensor.varint(1, dim);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor.varint(2, 1).string(8, name).bytes(9, raw.array());
    }

    /** A Constant node whose INT64 tensor of shape [1] is stored in packed int64_data. */
    private static Proto constantLongs(String output, long value) {
        Proto tensor = new Proto().varint(1, 1).varint(2, 7).packedVarints(7, value);
        return new Proto().string(2, output).string(4, "Constant")
                .message(5, new Proto().string(1, "value").varint(20, 4).message(5, tensor));
    }

    private static Proto node(String op, List<String> inputs, String output) {
        Proto node = new Proto();
        inputs.forEach(input -> node.string(1, input));
        return node.string(2, output).string(3, "/" + op).string(4, op);
    }

    private static byte[] floatBytes(float value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
    }

    /** A protobuf message being written. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            rawVarint((long) field << 3);
            rawVarint(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            rawVarint((long) field << 3 | 2);
            rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        Proto packedVarints(int field, long... values) {
            Proto packed = new Proto();
            for (long value : values) {
                packed.rawVarint(value);
            }
            return bytes(field, packed.toByteArray());
        }

        Proto packedFloats(int field, float[] values) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            return bytes(field, raw.array());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void rawVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
