package dev.childtune.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.childtune.ChildTuneException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The tokenizer settings of a Hugging Face model folder beyond {@code tokenizer.json}: {@code
 * tokenizer_config.json} and {@code special_tokens_map.json}. Both files are optional; a missing
 * file reads as empty.
 */
final class TokenizerConfigFiles {
    /**
     * Hugging Face writes {@code int(1e30)} when a tokenizer has no length limit; ignore such
     * values.
     */
    private static final double SANE_MAX_LENGTH_LIMIT = 1_000_000;

    private static final String CONFIG_FILE = "tokenizer_config.json";

    private final Path folder;
    private final JsonObject config;
    private final JsonObject specialTokensMap;

    private TokenizerConfigFiles(Path folder, JsonObject config, JsonObject specialTokensMap) {
        this.folder = folder;
        this.config = config;
        this.specialTokensMap = specialTokensMap;
    }

    /** Reads the two files of {@code folder}, each as an empty object when absent. */
    static TokenizerConfigFiles read(Path folder) {
        return new TokenizerConfigFiles(
                folder,
                readObjectIfPresent(folder.resolve(CONFIG_FILE)),
                readObjectIfPresent(folder.resolve("special_tokens_map.json")));
    }

    /** {@code padding_side} of tokenizer_config.json when set. */
    Optional<Padding.Side> paddingSide() {
        JsonElement value = config.get("padding_side");
        if (value == null || value.isJsonNull()) {
            return Optional.empty();
        }
        boolean isString = value.isJsonPrimitive() && value.getAsJsonPrimitive().isString();
        Padding.Side side = isString ? Padding.Side.parse(value.getAsString()) : null;
        if (side == null) {
            throw new ChildTuneException(folder.resolve(CONFIG_FILE)
                    + ": field 'padding_side' must be \"left\" or \"right\", got " + value);
        }
        return Optional.of(side);
    }

    /**
     * The model type the tokenizer belongs to, as Hugging Face's AutoTokenizer picks the tokenizer
     * class: from tokenizer_config.json's {@code tokenizer_class} ("XLNetTokenizerFast" gives
     * "xlnet"), else from config.json's {@code model_type} in the same folder.
     */
    Optional<String> modelType() {
        JsonElement tokenizerClass = config.get("tokenizer_class");
        if (tokenizerClass != null && tokenizerClass.isJsonPrimitive()) {
            String name = tokenizerClass.getAsString().replaceFirst("Fast$", "");
            if (name.endsWith("Tokenizer") && name.length() > "Tokenizer".length()) {
                return Optional.of(name.substring(0, name.length() - "Tokenizer".length()).toLowerCase(Locale.ROOT));
            }
        }
        JsonElement modelType = readObjectIfPresent(folder.resolve("config.json")).get("model_type");
        return modelType != null && modelType.isJsonPrimitive()
                ? Optional.of(modelType.getAsString())
                : Optional.empty();
    }

    /** A boolean setting of tokenizer_config.json, or {@code fallback} when absent or null. */
    boolean flag(String key, boolean fallback) {
        JsonElement value = config.get(key);
        return value == null || value.isJsonNull() ? fallback : value.getAsBoolean();
    }

    /** A boolean setting of tokenizer_config.json that may be null (meaning "decide elsewhere"). */
    Boolean nullableFlag(String key) {
        JsonElement value = config.get(key);
        return value == null || value.isJsonNull() ? null : value.getAsBoolean();
    }

    /**
     * The text of a special token ({@code cls_token}, {@code pad_token}, ...): from
     * special_tokens_map.json, else tokenizer_config.json, else {@code fallback}. Both the plain
     * string form and the {@code {"content": ...}} object form are accepted.
     */
    String specialToken(String key, String fallback) {
        for (JsonObject source : new JsonObject[] {specialTokensMap, config}) {
            JsonElement value = source.get(key);
            if (value != null && value.isJsonPrimitive()) {
                return value.getAsString();
            }
            if (value != null && value.isJsonObject() && value.getAsJsonObject().has("content")) {
                return value.getAsJsonObject().get("content").getAsString();
            }
        }
        return fallback;
    }

    /**
     * {@code model_max_length} when present and a plausible length (positive, not the 1e30
     * sentinel).
     */
    OptionalInt modelMaxLength() {
        JsonElement value = config.get("model_max_length");
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            return OptionalInt.empty();
        }
        double length = value.getAsDouble();
        return length >= 1 && length <= SANE_MAX_LENGTH_LIMIT
                ? OptionalInt.of((int) length)
                : OptionalInt.empty();
    }

    /** Parses a JSON file that must hold an object; any problem is reported naming the file. */
    static JsonObject readObject(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement root = JsonParser.parseReader(reader);
            if (!root.isJsonObject()) {
                throw new ChildTuneException(file + ": expected a JSON object");
            }
            return root.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            throw new ChildTuneException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject readObjectIfPresent(Path file) {
        return Files.isRegularFile(file) ? readObject(file) : new JsonObject();
    }
}
