package dev.childtune.text;

import dev.childtune.io.AtomicFiles;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import dev.childtune.ChildTuneException;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes sure a model folder has a fast-tokenizer {@code tokenizer.json}, generating one from the
 * older vocabulary files when needed, the way Hugging Face's slow-to-fast conversion does:
 *
 * <ul>
 *   <li>{@code vocab.txt}: a BERT WordPiece tokenizer (as {@code BertTokenizerFast} writes it),
 *       lower-casing per {@code do_lower_case} of {@code tokenizer_config.json} (default true);
 *   <li>{@code vocab.json} + {@code merges.txt}: a RoBERTa byte-level BPE tokenizer (as {@code
 *       RobertaTokenizerFast} writes it).
 * </ul>
 *
 * Special token texts come from {@code special_tokens_map.json} / {@code tokenizer_config.json}
 * when present, else the usual BERT or RoBERTa defaults.
 */
public final class TokenizerFiles {
    /** The file name of a fast tokenizer inside a model folder. */
    public static final String TOKENIZER_JSON = "tokenizer.json";

    private static final Gson GSON =
            new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();

    private TokenizerFiles() {}

    /**
     * Returns {@code folder/tokenizer.json}, first writing it (atomically) from {@code vocab.txt}
     * or {@code vocab.json} + {@code merges.txt} when it does not exist. Only call this for folders
     * that the caller owns.
     *
     * @throws ChildTuneException when the folder has none of these files, or on I/O errors
     */
    public static Path ensureTokenizerJson(Path folder) {
        Path target = folder.resolve(TOKENIZER_JSON);
        if (Files.isRegularFile(target)) {
            return target;
        }
        String json = GSON.toJson(generate(folder));
        AtomicFiles.writeString(target, json);
        return target;
    }

    /**
     * The text of the folder's {@code tokenizer.json}, or, when it has none, of the one {@link
     * #ensureTokenizerJson} would write; nothing is written.
     */
    public static String tokenizerJson(Path folder) {
        Path file = folder.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(file)) {
            return GSON.toJson(generate(folder));
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ChildTuneException(file + ": not UTF-8 text; expected a JSON tokenizer file", e);
        } catch (IOException e) {
            throw new ChildTuneException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject generate(Path folder) {
        if (Files.isRegularFile(folder.resolve("vocab.txt"))) {
            return wordPiece(folder);
        }
        if (Files.isRegularFile(folder.resolve("vocab.json"))
                && Files.isRegularFile(folder.resolve("merges.txt"))) {
            return byteLevelBpe(folder);
        }
        if (Files.isRegularFile(folder.resolve("spiece.model"))) {
            // SentencePiece models (XLNet, ALBERT, T5) ship a tokenizer.json on the Hub beside it.
            throw new ChildTuneException(
                    "no tokenizer.json in "
                            + folder
                            + ": spiece.model (SentencePiece) is not read directly; add the model's"
                            + " tokenizer.json (Hugging Face's fast tokenizer file)");
        }
        throw new ChildTuneException(
                "no tokenizer in "
                        + folder
                        + ": looked for tokenizer.json, vocab.txt, and vocab.json with merges.txt");
    }

    /** The tokenizer.json of {@code BertTokenizerFast} for the folder's vocab.txt. */
    private static JsonObject wordPiece(Path folder) {
        Path vocabFile = folder.resolve("vocab.txt");
        JsonObject vocab = new JsonObject();
        try {
            // Same as transformers' load_vocab: one token per line; a repeated token keeps its last
            // id.
            List<String> lines = Files.readAllLines(vocabFile, StandardCharsets.UTF_8);
            for (int id = 0; id < lines.size(); id++) {
                vocab.addProperty(lines.get(id), id);
            }
        } catch (IOException e) {
            throw new ChildTuneException("cannot read " + vocabFile + ": " + e.getMessage(), e);
        }
        TokenizerConfigFiles config = TokenizerConfigFiles.read(folder);
        String unk = config.specialToken("unk_token", "[UNK]");
        String cls = config.specialToken("cls_token", "[CLS]");
        String sep = config.specialToken("sep_token", "[SEP]");
        String pad = config.specialToken("pad_token", "[PAD]");
        String mask = config.specialToken("mask_token", "[MASK]");
        long clsId = requiredId(vocab, cls, vocabFile);
        long sepId = requiredId(vocab, sep, vocabFile);

        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "BertNormalizer");
        normalizer.addProperty("clean_text", true);
        normalizer.addProperty("handle_chinese_chars", config.flag("tokenize_chinese_chars", true));
        normalizer.addProperty("strip_accents", config.nullableFlag("strip_accents"));
        normalizer.addProperty("lowercase", config.flag("do_lower_case", true));

        JsonObject preTokenizer = new JsonObject();
        preTokenizer.addProperty("type", "BertPreTokenizer");

        JsonObject postProcessor = new JsonObject();
        postProcessor.addProperty("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(templatePiece("SpecialToken", cls, 0));
        single.add(templatePiece("Sequence", "A", 0));
        single.add(templatePiece("SpecialToken", sep, 0));
        JsonArray pair = single.deepCopy();
        pair.add(templatePiece("Sequence", "B", 1));
        pair.add(templatePiece("SpecialToken", sep, 1));
        postProcessor.add("single", single);
        postProcessor.add("pair", pair);
        JsonObject specialTokens = new JsonObject();
        specialTokens.add(cls, templateSpecialToken(cls, clsId));
        specialTokens.add(sep, templateSpecialToken(sep, sepId));
        postProcessor.add("special_tokens", specialTokens);

        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", "##");
        decoder.addProperty("cleanup", true);

        JsonObject model = new JsonObject();
        model.addProperty("type", "WordPiece");
        model.addProperty("unk_token", unk);
        model.addProperty("continuing_subword_prefix", "##");
        model.addProperty("max_input_chars_per_word", 100);
        model.add("vocab", vocab);

        return tokenizer(
                addedTokens(vocab, List.of(pad, unk, cls, sep, mask), null),
                normalizer,
                preTokenizer,
                postProcessor,
                decoder,
                model);
    }

    /**
     * The tokenizer.json of {@code RobertaTokenizerFast} for the folder's vocab.json and
     * merges.txt.
     */
    private static JsonObject byteLevelBpe(Path folder) {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        JsonObject vocab = TokenizerConfigFiles.readObject(vocabFile);
        JsonArray merges = new JsonArray();
        try {
            for (String line : Files.readAllLines(mergesFile, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                if (line.split(" ").length != 2) {
                    throw new ChildTuneException(
                            mergesFile
                                    + ": expected two space-separated tokens per line, got '"
                                    + line
                                    + "'");
                }
                merges.add(line);
            }
        } catch (IOException e) {
            throw new ChildTuneException("cannot read " + mergesFile + ": " + e.getMessage(), e);
        }
        TokenizerConfigFiles config = TokenizerConfigFiles.read(folder);
        String bos = config.specialToken("bos_token", "<s>");
        String eos = config.specialToken("eos_token", "</s>");
        String cls = config.specialToken("cls_token", bos);
        String sep = config.specialToken("sep_token", eos);
        String pad = config.specialToken("pad_token", "<pad>");
        String unk = config.specialToken("unk_token", "<unk>");
        String mask = config.specialToken("mask_token", "<mask>");
        boolean addPrefixSpace = config.flag("add_prefix_space", false);

        JsonObject preTokenizer = byteLevel(addPrefixSpace);

        JsonObject postProcessor = new JsonObject();
        postProcessor.addProperty("type", "RobertaProcessing");
        postProcessor.add("sep", tokenAndId(sep, requiredId(vocab, sep, vocabFile)));
        postProcessor.add("cls", tokenAndId(cls, requiredId(vocab, cls, vocabFile)));
        postProcessor.addProperty("trim_offsets", true);
        postProcessor.addProperty("add_prefix_space", addPrefixSpace);

        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.addProperty("continuing_subword_prefix", "");
        model.addProperty("end_of_word_suffix", "");
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.add("vocab", vocab);
        model.add("merges", merges);

        return tokenizer(
                addedTokens(vocab, List.of(bos, pad, eos, unk, cls, sep, mask), mask),
                JsonNull.INSTANCE,
                preTokenizer,
                postProcessor,
                byteLevel(true),
                model);
    }

    private static JsonObject tokenizer(
            JsonArray addedTokens,
            JsonElement normalizer,
            JsonObject preTokenizer,
            JsonObject postProcessor,
            JsonObject decoder,
            JsonObject model) {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", addedTokens);
        root.add("normalizer", normalizer);
        root.add("pre_tokenizer", preTokenizer);
        root.add("post_processor", postProcessor);
        root.add("decoder", decoder);
        root.add("model", model);
        return root;
    }

    /**
     * The {@code added_tokens} entries for those special tokens that the vocabulary holds, by id.
     * {@code leftStripped} (RoBERTa's mask token) also swallows the space before it.
     */
    private static JsonArray addedTokens(
            JsonObject vocab, List<String> tokens, String leftStripped) {
        Map<Long, String> byId = new TreeMap<>();
        for (String token : tokens) {
            if (vocab.has(token)) {
                byId.put(vocab.get(token).getAsLong(), token);
            }
        }
        JsonArray added = new JsonArray();
        byId.forEach(
                (id, token) -> {
                    JsonObject entry = new JsonObject();
                    entry.addProperty("id", id);
                    entry.addProperty("content", token);
                    entry.addProperty("single_word", false);
                    entry.addProperty("lstrip", token.equals(leftStripped));
                    entry.addProperty("rstrip", false);
                    entry.addProperty("normalized", false);
                    entry.addProperty("special", true);
                    added.add(entry);
                });
        return added;
    }

    private static JsonObject byteLevel(boolean addPrefixSpace) {
        JsonObject byteLevel = new JsonObject();
        byteLevel.addProperty("type", "ByteLevel");
        byteLevel.addProperty("add_prefix_space", addPrefixSpace);
        byteLevel.addProperty("trim_offsets", true);
        byteLevel.addProperty("use_regex", true);
        return byteLevel;
    }

    private static JsonObject templatePiece(String kind, String id, int typeId) {
        JsonObject body = new JsonObject();
        body.addProperty("id", id);
        body.addProperty("type_id", typeId);
        JsonObject piece = new JsonObject();
        piece.add(kind, body);
        return piece;
    }

    private static JsonObject templateSpecialToken(String token, long id) {
        JsonObject special = new JsonObject();
        special.addProperty("id", token);
        JsonArray ids = new JsonArray();
        ids.add(id);
        special.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(token);
        special.add("tokens", tokens);
        return special;
    }

    private static JsonArray tokenAndId(String token, long id) {
        JsonArray pair = new JsonArray();
        pair.add(token);
        pair.add(id);
        return pair;
    }

    private static long requiredId(JsonObject vocab, String token, Path vocabFile) {
        JsonElement id = vocab.get(token);
        if (id == null) {
            throw new ChildTuneException(
                    vocabFile + " has no entry for the special token " + token);
        }
        return id.getAsLong();
    }
}
