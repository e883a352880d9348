package dev.childtune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bad-input corpus (issue 9) for config.json, and weights that disagree with it; exact messages. */
class ModelConfigErrorsTest {
    /** A tiny but valid BERT configuration, without its closing brace, so that tests can add fields. */
    private static final String TINY = "{\"model_type\": \"bert\", \"vocab_size\": 10, \"hidden_size\": 8,"
            + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 16,"
            + " \"max_position_embeddings\": 16";

    /** The tiny configuration with {@code field} set to {@code json} instead. */
    private static String with(String field, String json) {
        String replaced = TINY.replaceFirst("\"" + field + "\": [^,]+", "\"" + field + "\": " + json.replace("$", "\\$"));
        return (replaced.equals(TINY) ? TINY + ", \"" + field + "\": " + json : replaced) + "}";
    }

    @TempDir
    Path dir;

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    private void assertConfigError(String json, String problem) throws IOException {
        Path file = config(json);
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> ModelConfig.read(dir));
        assertEquals(file + ": " + problem, e.getMessage());
    }

    @Test
    void theTinyConfigIsValid() throws IOException {
        config(TINY + "}");
        ModelConfig config = ModelConfig.read(dir);
        assertEquals(8, config.hiddenSize());
        assertEquals(4, config.headSize());
    }

    @Test
    void invalidJson() throws IOException {
        assertConfigError(TINY + ",}", "the model configuration is not valid JSON (Expected name at line 1 column 166"
                + " path $.max_position_embeddings)");
        assertConfigError("{\"model_type\": 'bert'}", "the model configuration is not valid JSON (malformed JSON at"
                + " line 1 column 17 path $.model_type)");
        assertConfigError("", "the model configuration is empty; expected a JSON value");
        assertConfigError("[]", "expected a JSON object, found an array");
        assertConfigError(TINY + ", \"hidden_size\": 16}", "the model configuration has the key \"hidden_size\""
                + " twice in one object ($.hidden_size); expected each key once");
        Path file = dir.resolve("config.json");
        Files.write(file, new byte[] {'{', (byte) 0xFF, '}'});
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> ModelConfig.read(dir));
        assertEquals(file + ": the model configuration is not UTF-8 text; expected a JSON file", e.getMessage());
    }

    @Test
    void missingRequiredField() throws IOException {
        assertConfigError("{\"hidden_size\": 8}", "field 'model_type' is missing (expected one of bert, roberta, electra, xlnet)");
    }

    @Test
    void fieldsOfTheWrongTypeOrRange() throws IOException {
        assertConfigError(with("hidden_size", "\"eight\""), "field 'hidden_size' must be an integer (32-bit),"
                + " got \"eight\"");
        assertConfigError(with("num_hidden_layers", "1.5"), "field 'num_hidden_layers' must be an integer"
                + " (32-bit), got 1.5");
        assertConfigError(with("vocab_size", "1e12"), "field 'vocab_size' must be an integer (32-bit), got 1e12");
        assertConfigError(with("num_attention_heads", "0"), "field 'num_attention_heads' must be at least 1, got 0");
        assertConfigError(with("vocab_size", "-3"), "field 'vocab_size' must be at least 1, got -3");
        assertConfigError(with("hidden_dropout_prob", "1.5"), "field 'hidden_dropout_prob' must be a dropout"
                + " probability in [0, 1), got 1.5");
        assertConfigError(with("layer_norm_eps", "[1]"), "field 'layer_norm_eps' must be a number, got [1]");
        assertConfigError(with("model_type", "7"), "field 'model_type' must be a string, got 7");
        assertConfigError(with("vocab_size", "2000000000"), "vocab_size 2000000000 x embedding_size 8 ="
                + " 16000000000 values in one weight matrix; at most 2147483647 are supported");
    }

    @Test
    void weightsWhoseShapesDisagreeWithTheConfig() throws IOException {
        config(TINY + "}");
        Path weights = dir.resolve(SafeTensors.MODEL_FILE);
        SafeTensors.write(weights, Map.of("bert.embeddings.word_embeddings.weight",
                TensorData.ofFloats(new long[] {10, 16}, new float[160])), Map.of());
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> PretrainedModel.load(dir));
        assertEquals(weights + ": tensor 'bert.embeddings.word_embeddings.weight' has shape [10, 16] but the model"
                + " built from config.json expects (10, 8); the weights and config.json disagree", e.getMessage());
    }
}
