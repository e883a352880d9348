package dev.childtune.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.childtune.ChildTuneException;
import dev.childtune.io.StrictJson;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Hugging Face fast tokenizer loaded from a model folder, set up for fine-tuning: special tokens
 * are added, text pairs are truncated "longest first" to a maximum length, and nothing is padded
 * (batches are padded later, to their longest member).
 *
 * <p>The folder's {@code tokenizer.json} is used; when it has none, one is generated in memory from
 * {@code vocab.txt} or {@code vocab.json} + {@code merges.txt} (see {@link TokenizerFiles}) and
 * nothing is written. The truncation and padding blocks of {@code tokenizer.json} are ignored: this
 * class always sets both explicitly.
 */
public final class TextTokenizer implements AutoCloseable {
    /**
     * Hugging Face's tokenizer classes that pad other than on the right with segment id 0, by model
     * type: {@code XLNetTokenizer(Fast)} has {@code padding_side = "left"} and
     * {@code pad_token_type_id = 3}.
     */
    private static final Map<String, Padding.Side> PADDING_SIDES = Map.of("xlnet", Padding.Side.LEFT);

    private static final Map<String, Long> PAD_TYPE_IDS = Map.of("xlnet", 3L);

    /** The maximum length used when tokenizer_config.json gives no plausible model_max_length. */
    public static final int FALLBACK_MAX_LENGTH = 512;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final String kind;
    private final int vocabSize;
    private final SpecialToken padToken;
    private final Padding.Side paddingSide;
    private final long padTypeId;

    /** A special token and its id. */
    public record SpecialToken(String token, long id) {}

    private TextTokenizer(
            HuggingFaceTokenizer tokenizer,
            int maxLength,
            String kind,
            int vocabSize,
            SpecialToken padToken,
            Padding.Side paddingSide,
            long padTypeId) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.kind = kind;
        this.vocabSize = vocabSize;
        this.padToken = padToken;
        this.paddingSide = paddingSide;
        this.padTypeId = padTypeId;
    }

    /** Loads the folder's tokenizer with {@link #defaultMaxLength(Path)}. */
    public static TextTokenizer load(Path folder) {
        return load(folder, defaultMaxLength(folder));
    }

    /**
     * Loads the folder's tokenizer, truncating encodings to {@code maxLength} tokens.
     *
     * @throws ChildTuneException when the folder has no usable tokenizer files or maxLength is not
     *     positive
     */
    public static TextTokenizer load(Path folder, int maxLength) {
        if (maxLength < 1) {
            throw new ChildTuneException(
                    "maximum sequence length must be positive, got " + maxLength);
        }
        String json = TokenizerFiles.tokenizerJson(folder);
        Path file = folder.resolve(TokenizerFiles.TOKENIZER_JSON);
        // Checked in Java first: the native library aborts the JVM on some malformed files.
        JsonElement parsed = StrictJson.parse(file, json, "tokenizer file");
        TokenizerJsonCheck.check(file, parsed);
        JsonObject root = parsed.getAsJsonObject();
        // DJL's own defaults would pad to the longest and clamp maxLength to 512
        // ("modelMaxLength"),
        // overriding tokenizer.json; every setting is therefore given explicitly.
        Map<String, String> options =
                Map.of(
                        "addSpecialTokens", "true",
                        "withOverflowingTokens", "false",
                        "padding", "false",
                        "truncation", "LONGEST_FIRST",
                        "maxLength", String.valueOf(maxLength),
                        "modelMaxLength", String.valueOf(maxLength),
                        "stride", "0");
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer =
                    HuggingFaceTokenizer.newInstance(
                            new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                            options);
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(
                    (file + ": not a usable tokenizer (" + e.getMessage() + ")").replaceAll("\\s*\\R\\s*", " "), e);
        }
        // Like Hugging Face, padding follows the tokenizer class (chosen by model type) and
        // tokenizer_config.json, never tokenizer.json's own padding block.
        TokenizerConfigFiles settings = TokenizerConfigFiles.read(folder);
        Optional<String> family = settings.modelType();
        Padding.Side side =
                settings.paddingSide()
                        .orElse(family.map(PADDING_SIDES::get).orElse(Padding.Side.RIGHT));
        long padTypeId = family.map(PAD_TYPE_IDS::get).orElse(0L);
        return new TextTokenizer(
                tokenizer,
                maxLength,
                modelType(root),
                vocabSize(root),
                padToken(root, folder).orElse(null),
                side,
                padTypeId);
    }

    /**
     * The folder's {@code model_max_length} from tokenizer_config.json when present and plausible,
     * else {@value #FALLBACK_MAX_LENGTH}.
     */
    public static int defaultMaxLength(Path folder) {
        return TokenizerConfigFiles.read(folder).modelMaxLength().orElse(FALLBACK_MAX_LENGTH);
    }

    /**
     * Tokenizes one text or a text pair, adding the model's special tokens and truncating to {@link
     * #maxLength()} tokens (for a pair, always shortening the currently longer text first).
     *
     * @param textPairOrNull the second text of a pair, or null for a single text
     */
    public Encoded encode(String text, String textPairOrNull) {
        Encoding encoding =
                textPairOrNull == null
                        ? tokenizer.encode(text)
                        : tokenizer.encode(text, textPairOrNull);
        return new Encoded(
                encoding.getIds(),
                encoding.getTypeIds(),
                encoding.getAttentionMask(),
                encoding.getTokens());
    }

    /** The maximum number of tokens of an encoding, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * One more than the largest token id (vocabulary and added tokens): the number of rows an
     * embedding matrix for this tokenizer needs.
     */
    public int vocabSize() {
        return vocabSize;
    }

    /** The tokenization model, as tokenizer.json names it: "WordPiece", "BPE", "Unigram", ... */
    public String kind() {
        return kind;
    }

    /**
     * The padding token: from tokenizer.json's padding block, else the {@code pad_token} of
     * special_tokens_map.json / tokenizer_config.json, else "[PAD]" or "&lt;pad&gt;" when the
     * vocabulary has it.
     */
    public Optional<SpecialToken> padToken() {
        return Optional.ofNullable(padToken);
    }

    /**
     * The side batches are padded on: tokenizer_config.json's {@code padding_side}, else the
     * default of the tokenizer's model type (left for XLNet), else right.
     */
    public Padding.Side paddingSide() {
        return paddingSide;
    }

    /** The segment id padding positions get: 3 for XLNet's tokenizer, else 0. */
    public long padTypeId() {
        return padTypeId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String modelType(JsonObject root) {
        JsonElement type = root.getAsJsonObject("model").get("type");
        return type == null ? "unknown" : type.getAsString();
    }

    private static int vocabSize(JsonObject root) {
        long maxId = -1;
        JsonElement vocab = root.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : vocab.getAsJsonObject().entrySet()) {
                maxId = Math.max(maxId, entry.getValue().getAsLong());
            }
        } else if (vocab != null && vocab.isJsonArray()) { // Unigram: [[piece, score], ...] by id
            maxId = vocab.getAsJsonArray().size() - 1L;
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement added : root.getAsJsonArray("added_tokens")) {
                maxId = Math.max(maxId, added.getAsJsonObject().get("id").getAsLong());
            }
        }
        return Math.toIntExact(maxId + 1);
    }

    private static Optional<SpecialToken> padToken(JsonObject root, Path folder) {
        JsonElement padding = root.get("padding");
        if (padding != null
                && padding.isJsonObject()
                && padding.getAsJsonObject().has("pad_token")) {
            JsonObject block = padding.getAsJsonObject();
            return Optional.of(
                    new SpecialToken(
                            block.get("pad_token").getAsString(), block.get("pad_id").getAsLong()));
        }
        String configured = TokenizerConfigFiles.read(folder).specialToken("pad_token", null);
        for (String candidate :
                configured == null ? new String[] {"[PAD]", "<pad>"} : new String[] {configured}) {
            OptionalLong id = tokenId(root, candidate);
            if (id.isPresent()) {
                return Optional.of(new SpecialToken(candidate, id.getAsLong()));
            }
        }
        return Optional.empty();
    }

    /** The id of {@code token} among the added tokens or the model vocabulary. */
    private static OptionalLong tokenId(JsonObject root, String token) {
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement added : root.getAsJsonArray("added_tokens")) {
                JsonObject entry = added.getAsJsonObject();
                if (token.equals(entry.get("content").getAsString())) {
                    return OptionalLong.of(entry.get("id").getAsLong());
                }
            }
        }
        JsonElement vocab = root.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject() && vocab.getAsJsonObject().has(token)) {
            return OptionalLong.of(vocab.getAsJsonObject().get(token).getAsLong());
        }
        if (vocab != null && vocab.isJsonArray()) {
            for (int id = 0; id < vocab.getAsJsonArray().size(); id++) {
                if (token.equals(
                        vocab.getAsJsonArray().get(id).getAsJsonArray().get(0).getAsString())) {
                    return OptionalLong.of(id);
                }
            }
        }
        return OptionalLong.empty();
    }
}
