package dev.childtune.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Checks a parsed {@code tokenizer.json} in Java before it reaches the native Hugging Face
 * tokenizers library, which reports most problems as exceptions but aborts the whole JVM on some
 * (a {@code Precompiled} normalizer whose {@code precompiled_charsmap} does not parse panics while
 * loading; one whose trie points outside itself panics while encoding). Also checks the fields that
 * {@link TextTokenizer} reads itself. Problems are one-line {@link ChildTuneException}s naming the
 * file and the field.
 */
final class TokenizerJsonCheck {
    private static final List<String> MODEL_TYPES = List.of("WordPiece", "BPE", "WordLevel", "Unigram");
    private static final String EXPECTED = "expected a Hugging Face tokenizer.json";

    private final Object file;

    private TokenizerJsonCheck(Object file) {
        this.file = file;
    }

    /** Checks {@code root}, the parsed content of {@code file}. */
    static void check(Object file, JsonElement root) {
        new TokenizerJsonCheck(file).root(root);
    }

    private void root(JsonElement root) {
        if (!root.isJsonObject()) {
            throw error("the file holds a JSON " + (root.isJsonArray() ? "array" : "value") + "; " + EXPECTED
                    + " (an object with a \"model\")");
        }
        JsonObject object = root.getAsJsonObject();
        JsonElement model = object.get("model");
        if (model == null || !model.isJsonObject()) {
            throw error("no \"model\" object; " + EXPECTED + " (this may be a tokenizer_config.json or another"
                    + " file under the tokenizer's name)");
        }
        model(model.getAsJsonObject());
        addedTokens(object.get("added_tokens"));
        padding(object.get("padding"));
        precompiledNormalizers(object.get("normalizer"), "normalizer");
    }

    private void model(JsonObject model) {
        JsonElement type = model.get("type");
        if (type != null && !(isString(type) && MODEL_TYPES.contains(type.getAsString()))) {
            throw error("field 'model.type' is " + shorten(type) + "; expected one of " + String.join(", ", MODEL_TYPES));
        }
        JsonElement vocab = model.get("vocab");
        if (vocab == null) {
            throw error("field 'model.vocab' is missing; " + EXPECTED);
        }
        if (vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : vocab.getAsJsonObject().entrySet()) {
                tokenId(entry.getValue(), "model.vocab[\"" + shorten(entry.getKey()) + "\"]");
            }
        } else if (vocab.isJsonArray()) { // Unigram: [[piece, score], ...]
            JsonArray pieces = vocab.getAsJsonArray();
            for (int i = 0; i < pieces.size(); i++) {
                JsonElement piece = pieces.get(i);
                if (!piece.isJsonArray() || piece.getAsJsonArray().size() != 2 || !isString(piece.getAsJsonArray().get(0))
                        || !isNumber(piece.getAsJsonArray().get(1))) {
                    throw error("field 'model.vocab[" + i + "]' is " + shorten(piece)
                            + "; expected a [piece, score] pair");
                }
            }
        } else {
            throw error("field 'model.vocab' is " + shorten(vocab)
                    + "; expected an object (token to id) or a list of [piece, score] pairs");
        }
    }

    private void addedTokens(JsonElement added) {
        if (added == null || added.isJsonNull()) {
            return;
        }
        if (!added.isJsonArray()) {
            throw error("field 'added_tokens' is " + shorten(added) + "; expected a list of tokens");
        }
        JsonArray tokens = added.getAsJsonArray();
        for (int i = 0; i < tokens.size(); i++) {
            String where = "added_tokens[" + i + "]";
            JsonElement token = tokens.get(i);
            if (!token.isJsonObject() || !isString(token.getAsJsonObject().get("content"))) {
                throw error("field '" + where + "' is " + shorten(token) + "; expected {\"id\": ..., \"content\": ...}");
            }
            tokenId(token.getAsJsonObject().get("id"), where + ".id");
        }
    }

    private void padding(JsonElement padding) {
        if (padding == null || padding.isJsonNull() || !padding.isJsonObject()
                || !padding.getAsJsonObject().has("pad_token")) {
            return;
        }
        JsonObject block = padding.getAsJsonObject();
        if (!isString(block.get("pad_token"))) {
            throw error("field 'padding.pad_token' is " + shorten(block.get("pad_token")) + "; expected a string");
        }
        tokenId(block.get("pad_id"), "padding.pad_id");
    }

    private void tokenId(JsonElement id, String where) {
        boolean ok = isNumber(id);
        if (ok) {
            try {
                ok = id.getAsBigDecimal().intValueExact() >= 0;
            } catch (ArithmeticException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw error("field '" + where + "' is " + (id == null ? "missing" : shorten(id))
                    + "; expected a token id (an integer from 0 to " + Integer.MAX_VALUE + ")");
        }
    }

    /** Every {@code Precompiled} normalizer, also inside a {@code Sequence}. */
    private void precompiledNormalizers(JsonElement normalizer, String where) {
        if (normalizer == null || !normalizer.isJsonObject()) {
            return;
        }
        JsonObject object = normalizer.getAsJsonObject();
        JsonElement type = object.get("type");
        if (isString(type) && type.getAsString().equals("Precompiled")) {
            JsonElement charsmap = object.get("precompiled_charsmap");
            if (!isString(charsmap)) {
                throw error("field '" + where + ".precompiled_charsmap' is "
                        + (charsmap == null ? "missing" : shorten(charsmap)) + "; expected a base64 string");
            }
            charsmap(charsmap.getAsString(), where + ".precompiled_charsmap");
        }
        JsonElement children = object.get("normalizers");
        if (children != null && children.isJsonArray()) {
            for (int i = 0; i < children.getAsJsonArray().size(); i++) {
                precompiledNormalizers(children.getAsJsonArray().get(i), where + ".normalizers[" + i + "]");
            }
        }
    }

    /**
     * A SentencePiece {@code precompiled_charsmap}: base64 of a little-endian u32 trie size in
     * bytes, the double-array trie (u32 units), then the UTF-8 replacement strings, each ended by a
     * NUL byte. Every trie lookup the native code can make must stay inside the array, and every
     * replacement it can point to must start on a character inside the strings.
     */
    private void charsmap(String base64, String where) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw error("field '" + where + "' is not valid base64 (" + e.getMessage() + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw error("field '" + where + "' holds " + bytes.length + " bytes; expected a SentencePiece charsmap"
                    + " (a 4-byte trie size, the trie, the replacement strings)");
        }
        long trieBytes = in.getInt() & 0xFFFFFFFFL;
        long units = trieBytes / 4;
        if (units == 0 || units * 4 > in.remaining()) {
            throw error("field '" + where + "' declares a trie of " + trieBytes + " bytes but holds "
                    + in.remaining() + " after the size; expected a SentencePiece charsmap");
        }
        int[] trie = new int[(int) units];
        in.asIntBuffer().get(trie);
        in.position(4 + trie.length * 4);
        byte[] normalized = new byte[in.remaining()];
        in.get(normalized);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(normalized));
        } catch (CharacterCodingException e) {
            throw error("field '" + where + "' has replacement strings that are not UTF-8");
        }
        walkTrie(trie, normalized, where);
    }

    /** Visits every trie node the native lookups can reach, as spm_precompiled walks it. */
    private void walkTrie(int[] trie, byte[] normalized, String where) {
        BitSet seen = new BitSet(trie.length);
        Deque<Integer> todo = new ArrayDeque<>();
        todo.push((int) offset(trie[0]));
        while (!todo.isEmpty()) {
            long node = todo.pop() & 0xFFFFFFFFL;
            for (int c = 1; c < 256; c++) {
                if (c == 0xC0 || c == 0xC1 || c >= 0xF5) {
                    continue; // never in UTF-8 text, so never looked up
                }
                long position = node ^ c;
                if (position >= trie.length) {
                    throw error("field '" + where + "' has a trie that points outside itself (unit " + position
                            + " of " + trie.length + "); the charsmap is corrupt");
                }
                long unit = trie[(int) position] & 0xFFFFFFFFL;
                if ((unit & ((1L << 31) | 0xFF)) != c) {
                    continue;
                }
                long child = position ^ offset(unit);
                if (child >= trie.length) {
                    throw error("field '" + where + "' has a trie that points outside itself (unit " + child
                            + " of " + trie.length + "); the charsmap is corrupt");
                }
                if (((unit >> 8) & 1) == 1) {
                    long value = trie[(int) child] & ((1L << 31) - 1);
                    if (value > normalized.length || (value < normalized.length && (normalized[(int) value] & 0xC0) == 0x80)) {
                        throw error("field '" + where + "' has a replacement at byte " + value
                                + " that is not the start of a character in its " + normalized.length
                                + " bytes of strings; the charsmap is corrupt");
                    }
                }
                if (!seen.get((int) child)) {
                    seen.set((int) child);
                    todo.push((int) child);
                }
            }
        }
    }

    private static long offset(long unit) {
        unit &= 0xFFFFFFFFL;
        return (unit >> 10) << ((unit & (1L << 9)) >> 6);
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static boolean isNumber(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    private static String shorten(JsonElement e) {
        return e == null ? "missing" : shorten(e.toString());
    }

    private static String shorten(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > 60 ? flat.substring(0, 60) + "..." : flat;
    }

    private ChildTuneException error(String problem) {
        return new ChildTuneException(file + ": " + problem);
    }
}
