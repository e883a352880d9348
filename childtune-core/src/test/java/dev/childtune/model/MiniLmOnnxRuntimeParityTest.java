package dev.childtune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.childtune.checkpoint.onnx.EmbeddedModels;
import dev.childtune.testing.Closeness;
import dev.childtune.text.Encoded;
import dev.childtune.text.TextTokenizer;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The imported default model (all-MiniLM-L6-v2) computes what ONNX Runtime computes from the
 * original ONNX file, on real sentences and sentence pairs, within 1e-4.
 */
class MiniLmOnnxRuntimeParityTest {
    private static final double TOLERANCE = 1e-4;
    private static PretrainedModel model;
    private static TextTokenizer tokenizer;
    private static OrtEnvironment env;
    private static OrtSession session;
    private static double worst;

    @BeforeAll
    static void setUp() throws Exception {
        Path folder = EmbeddedModels.ensureMinilm(Path.of("target", "test-cache"));
        model = PretrainedModel.load(folder);
        tokenizer = TextTokenizer.load(folder);
        env = OrtEnvironment.getEnvironment();
        byte[] onnx;
        try (InputStream in = EmbeddedModels.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            onnx = in.readAllBytes();
        }
        session = env.createSession(onnx, new OrtSession.SessionOptions());
    }

    @AfterAll
    static void tearDown() throws Exception {
        System.out.printf("all-MiniLM-L6-v2 versus ONNX Runtime: largest |difference| %.3e%n", worst);
        session.close();
        tokenizer.close();
        model.close();
    }

    @Test
    void importedModelHasMiniLmShape() {
        ModelConfig c = model.config();
        assertEquals(6, c.numHiddenLayers());
        assertEquals(384, c.hiddenSize());
        assertEquals(12, c.numAttentionHeads());
        // The checkpoint has no pooler: it and the task head are the only fresh weights.
        assertTrue(model.loadReport().newlyInitialized().stream()
                .allMatch(n -> n.startsWith("bert.pooler.") || n.startsWith("classifier.")),
                model.loadReport().summary());
    }

    @Test
    void singleSentencesMatchOnnxRuntime() throws Exception {
        for (String s : List.of(
                "The quick brown fox jumps over the lazy dog.",
                "ChildTuning updates only a subset of parameters, the child network.",
                "Héllo, wörld! Ünïcode and punctuation: (a) [b] {c}; 3.14 -- ok?")) {
            compareWithOnnxRuntime(s, null);
        }
    }

    @Test
    void sentencePairsMatchOnnxRuntime() throws Exception {
        compareWithOnnxRuntime("A man is playing a guitar.", "Someone plays an instrument.");
        compareWithOnnxRuntime("The cat sat on the mat.", "Dogs are loyal animals that like long walks in the park.");
    }

    private static void compareWithOnnxRuntime(String text, String pair) throws Exception {
        Encoded e = tokenizer.encode(text, pair);
        long[][] ids = {e.inputIds()};
        long[][] mask = {e.attentionMask()};
        long[][] types = {e.tokenTypeIds()};
        float[] expected;
        try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor t = OnnxTensor.createTensor(env, types);
                OrtSession.Result result = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            expected = flatten(hidden[0]);
        }
        try (NDManager manager = model.manager().newSubManager()) {
            ModelInputs inputs = new ModelInputs(manager.create(ids), manager.create(mask), manager.create(types));
            NDArray actual = model.classifier().baseModel().forward(inputs, false).lastHiddenState();
            double d = Closeness.assertClose("last_hidden_state of '" + text + "'", actual.toFloatArray(), expected,
                    TOLERANCE, 0);
            worst = Math.max(worst, d);
        }
    }

    private static float[] flatten(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[0].length, rows[0].length);
        }
        return out;
    }
}
