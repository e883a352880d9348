package dev.childtune.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.childtune.text.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny but real model folders for training tests: the fixture BERT (3 layers, hidden 32, 3
 * labels) with a WordPiece vocabulary of its 128 ids ([PAD] [UNK] [CLS] [SEP] [MASK] w5 ... w127),
 * and the fixture XLNet (2 layers, hidden 32, 3 labels) with a Unigram tokenizer of its 120 ids.
 */
public final class TinyModels {
    private TinyModels() {}

    public static Path bertWithTokenizer(Path dir) throws IOException {
        Path fixture = Fixtures.fixture("hf/bert");
        Files.createDirectories(dir);
        Files.copy(fixture.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(fixture.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = 5; i < 128; i++) {
            vocab.add("w" + i);
        }
        Files.write(dir.resolve("vocab.txt"), vocab);
        TokenizerFiles.ensureTokenizerJson(dir);
        return dir;
    }

    /** XLNet's special pieces in the order of the real xlnet-base-cased vocabulary (ids 0..8). */
    public static final List<String> XLNET_SPECIALS =
            List.of("<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>", "<mask>", "<eod>", "<eop>");

    /**
     * The fixture XLNet with a generated {@code tokenizer.json}: a Unigram model over
     * {@code <unk> <s> </s> <cls> <sep> <pad> <mask> <eod> <eop> w9 ... w119} (word {@code wN} has
     * id N), split on whitespace, and XLNet's post-processor: {@code A <sep> <cls>} and
     * {@code A <sep> B <sep> <cls>} with segment ids 0, 1 and 2 for {@code <cls>}. As with
     * xlnet-base-cased, there is no tokenizer_config.json: the padding side comes from the model type.
     */
    public static Path xlnetWithTokenizer(Path dir) throws IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        Files.createDirectories(dir);
        Files.copy(fixture.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(fixture.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("tokenizer.json"), xlnetTokenizerJson());
        return dir;
    }

    /** The tokenizer.json of {@link #xlnetWithTokenizer}. */
    public static String xlnetTokenizerJson() {
        JsonArray vocab = new JsonArray();
        JsonArray added = new JsonArray();
        for (int id = 0; id < 120; id++) {
            boolean special = id < XLNET_SPECIALS.size();
            String piece = special ? XLNET_SPECIALS.get(id) : "w" + id;
            JsonArray entry = new JsonArray();
            entry.add(piece);
            entry.add(special ? 0.0 : -1.0 - id / 1000.0);
            vocab.add(entry);
            if (special) {
                JsonObject token = new JsonObject();
                token.addProperty("id", id);
                token.addProperty("content", piece);
                token.addProperty("single_word", false);
                token.addProperty("lstrip", false);
                token.addProperty("rstrip", false);
                token.addProperty("normalized", false);
                token.addProperty("special", true);
                added.add(token);
            }
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "Unigram");
        model.addProperty("unk_id", 0);
        model.add("vocab", vocab);
        model.addProperty("byte_fallback", false);

        JsonObject post = new JsonObject();
        post.addProperty("type", "TemplateProcessing");
        post.add("single", template(new String[] {"$A", "<sep>", "<cls>"}, new int[] {0, 0, 2}));
        post.add("pair", template(new String[] {"$A", "<sep>", "$B", "<sep>", "<cls>"}, new int[] {0, 0, 1, 1, 2}));
        JsonObject specials = new JsonObject();
        for (String token : List.of("<sep>", "<cls>")) {
            JsonObject s = new JsonObject();
            s.addProperty("id", token);
            JsonArray ids = new JsonArray();
            ids.add(XLNET_SPECIALS.indexOf(token));
            s.add("ids", ids);
            JsonArray tokens = new JsonArray();
            tokens.add(token);
            s.add("tokens", tokens);
            specials.add(token, s);
        }
        post.add("special_tokens", specials);

        JsonObject pre = new JsonObject();
        pre.addProperty("type", "WhitespaceSplit");
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", pre);
        root.add("post_processor", post);
        root.add("decoder", JsonNull.INSTANCE);
        root.add("model", model);
        return root.toString();
    }

    private static JsonArray template(String[] pieces, int[] typeIds) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < pieces.length; i++) {
            JsonObject item = new JsonObject();
            JsonObject body = new JsonObject();
            boolean sequence = pieces[i].startsWith("$");
            body.addProperty("id", sequence ? pieces[i].substring(1) : pieces[i]);
            body.addProperty("type_id", typeIds[i]);
            item.add(sequence ? "Sequence" : "SpecialToken", body);
            out.add(item);
        }
        return out;
    }
}
