package dev.childtune.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.io.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code config.json}, with Hugging Face's field names and defaults. The original JSON
 * is kept so that saving writes back every field, including the ones ChildTune does not use.
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int embeddingSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        Double classifierDropout,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double initializerRange,
        double layerNormEps,
        int padTokenId,
        int numLabels,
        String problemType,
        Map<Integer, String> id2label,
        JsonObject json) {

    public static final String FILE_NAME = "config.json";

    /** Reads {@code folder/config.json}. */
    public static ModelConfig read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new ChildTuneException(file + ": missing; a model folder needs config.json (Hugging Face format)");
        }
        JsonElement root = StrictJson.read(file, "model configuration");
        if (!root.isJsonObject()) {
            throw new ChildTuneException(file + ": expected a JSON object, found " + kind(root));
        }
        return fromJson(root.getAsJsonObject(), file.toString());
    }

    private static String kind(JsonElement element) {
        return element.isJsonArray() ? "an array" : element.isJsonNull() ? "null" : "a single value";
    }

    /** Parses a config object; {@code source} names it in error messages. */
    public static ModelConfig fromJson(JsonObject json, String source) {
        Fields f = new Fields(json, source);
        String modelType = f.string("model_type", null);
        if (modelType == null) {
            throw new ChildTuneException(source + ": field 'model_type' is missing (expected bert, roberta or electra)");
        }
        int hidden = f.integer("hidden_size", 768);
        Map<Integer, String> id2label = new LinkedHashMap<>();
        if (json.has("id2label") && json.get("id2label").isJsonObject()) {
            for (var e : json.getAsJsonObject("id2label").entrySet()) {
                try {
                    id2label.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
                } catch (RuntimeException ex) {
                    throw new ChildTuneException(source + ": field 'id2label' has key '" + e.getKey()
                            + "': expected integer keys and string labels");
                }
            }
        }
        int numLabels = json.has("num_labels") ? f.integer("num_labels", 2)
                : id2label.isEmpty() ? 2 : id2label.size();
        String problemType = f.string("problem_type", null);
        if (problemType == null) {
            problemType = numLabels == 1 ? "regression" : "single_label_classification";
        }
        String positionType = f.string("position_embedding_type", "absolute");
        if (!positionType.equals("absolute")) {
            throw new ChildTuneException(source + ": position_embedding_type '" + positionType
                    + "' is not supported (only 'absolute')");
        }
        String act = f.string("hidden_act", "gelu");
        if (!act.equals("gelu") && !act.equals("relu")) {
            throw new ChildTuneException(source + ": hidden_act '" + act + "' is not supported (expected gelu or relu)");
        }
        ModelConfig config = new ModelConfig(
                modelType,
                f.integer("vocab_size", 30522),
                hidden,
                f.integer("embedding_size", hidden),
                f.integer("num_hidden_layers", 12),
                f.integer("num_attention_heads", 12),
                f.integer("intermediate_size", 3072),
                act,
                f.real("hidden_dropout_prob", 0.1),
                f.real("attention_probs_dropout_prob", 0.1),
                json.has("classifier_dropout") && !json.get("classifier_dropout").isJsonNull()
                        ? f.real("classifier_dropout", 0.1) : null,
                f.integer("max_position_embeddings", 512),
                f.integer("type_vocab_size", 2),
                f.real("initializer_range", 0.02),
                f.real("layer_norm_eps", 1e-12),
                f.integer("pad_token_id", 0),
                numLabels,
                problemType,
                Map.copyOf(id2label),
                json.deepCopy());
        config.validate(source);
        return config;
    }

    private void validate(String source) {
        atLeast(source, "vocab_size", vocabSize, 1);
        atLeast(source, "hidden_size", hiddenSize, 1);
        atLeast(source, "embedding_size", embeddingSize, 1);
        atLeast(source, "num_hidden_layers", numHiddenLayers, 0);
        atLeast(source, "num_attention_heads", numAttentionHeads, 1);
        atLeast(source, "intermediate_size", intermediateSize, 1);
        atLeast(source, "max_position_embeddings", maxPositionEmbeddings, 1);
        atLeast(source, "type_vocab_size", typeVocabSize, 1);
        probability(source, "hidden_dropout_prob", hiddenDropoutProb);
        probability(source, "attention_probs_dropout_prob", attentionProbsDropoutProb);
        if (classifierDropout != null) {
            probability(source, "classifier_dropout", classifierDropout);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new ChildTuneException(source + ": field 'layer_norm_eps' must be a small positive number, got "
                    + layerNormEps);
        }
        if (!(initializerRange >= 0) || Double.isInfinite(initializerRange)) {
            throw new ChildTuneException(source + ": field 'initializer_range' must be a non-negative number, got "
                    + initializerRange);
        }
        // The largest weight matrices; each must fit one Java array (the safetensors limit too).
        matrix(source, "vocab_size", vocabSize, "embedding_size", embeddingSize);
        matrix(source, "max_position_embeddings", maxPositionEmbeddings, "embedding_size", embeddingSize);
        matrix(source, "hidden_size", hiddenSize, "intermediate_size", intermediateSize);
        matrix(source, "hidden_size", hiddenSize, "hidden_size", hiddenSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ChildTuneException(source + ": hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (numLabels < 1) {
            throw new ChildTuneException(source + ": num_labels must be at least 1, got " + numLabels);
        }
        if (!problemType.equals("regression") && !problemType.equals("single_label_classification")) {
            throw new ChildTuneException(source + ": problem_type '" + problemType
                    + "' is not supported (expected regression or single_label_classification)");
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new ChildTuneException(source + ": pad_token_id " + padTokenId + " is outside the vocabulary (size "
                    + vocabSize + ")");
        }
    }

    private static void atLeast(String source, String field, int value, int minimum) {
        if (value < minimum) {
            throw new ChildTuneException(source + ": field '" + field + "' must be at least " + minimum + ", got " + value);
        }
    }

    private static void probability(String source, String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new ChildTuneException(source + ": field '" + field
                    + "' must be a dropout probability in [0, 1), got " + value);
        }
    }

    private static void matrix(String source, String rowsField, int rows, String columnsField, int columns) {
        if ((long) rows * columns > Integer.MAX_VALUE) {
            throw new ChildTuneException(source + ": " + rowsField + " " + rows + " x " + columnsField + " " + columns
                    + " = " + (long) rows * columns + " values in one weight matrix; at most "
                    + Integer.MAX_VALUE + " are supported");
        }
    }

    public boolean isRegression() {
        return problemType.equals("regression");
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** The dropout before a classification head: classifier_dropout if set, else hidden_dropout_prob. */
    public double headDropout() {
        return classifierDropout != null ? classifierDropout : hiddenDropoutProb;
    }

    /**
     * This configuration for a task: {@code id2label}, {@code label2id} and {@code problem_type}
     * rewritten for the given labels (one output for regression), everything else kept. A
     * checkpoint whose head has another size then fails to load with a shape error.
     */
    public ModelConfig forTask(List<String> labels, boolean regression) {
        JsonObject copy = json.deepCopy();
        JsonObject ids = new JsonObject();
        JsonObject names = new JsonObject();
        List<String> outputs = regression ? List.of("LABEL_0") : labels;
        for (int i = 0; i < outputs.size(); i++) {
            ids.addProperty(Integer.toString(i), outputs.get(i));
            names.addProperty(outputs.get(i), i);
        }
        copy.add("id2label", ids);
        copy.add("label2id", names);
        copy.remove("num_labels");
        copy.addProperty("problem_type", regression ? "regression" : "single_label_classification");
        return fromJson(copy, FILE_NAME);
    }

    /** A JSON value for a message: one line, at most 60 characters. */
    private static String shorten(JsonElement e) {
        String text = e.toString().replaceAll("\\s+", " ");
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    /** Typed access to optional fields with errors that name the field. */
    private record Fields(JsonObject json, String source) {
        int integer(String name, int fallback) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                return e.getAsBigDecimal().intValueExact();
            } catch (RuntimeException ex) {
                throw new ChildTuneException(source + ": field '" + name
                        + "' must be an integer (32-bit), got " + shorten(e));
            }
        }

        double real(String name, double fallback) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new ChildTuneException(source + ": field '" + name + "' must be a number, got " + shorten(e));
            }
            return e.getAsDouble();
        }

        String string(String name, String fallback) {
            JsonElement e = json.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ChildTuneException(source + ": field '" + name + "' must be a string, got " + shorten(e));
            }
            return e.getAsString();
        }
    }
}
