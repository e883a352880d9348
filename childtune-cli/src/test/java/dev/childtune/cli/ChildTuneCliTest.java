package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real commands, run in-process with the default (embedded) model, offline. */
class ChildTuneCliTest {
    @Test
    void inspectDescribesTheDefaultModel() {
        CliRun r = CliRun.of("inspect");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("BertForSequenceClassification"), r.out());
        assertTrue(r.out().contains("layers:         6"), r.out());
        assertTrue(r.out().contains("hidden size:    384 (12 heads of 32, feed-forward 1536)"), r.out());
        assertTrue(r.out().contains("vocabulary 30,522"), r.out());
        assertTrue(r.out().contains("embedded all-MiniLM-L6-v2"), r.out());
    }

    @Test
    void encodeJsonPrintsTokensIdsAndVectors() {
        CliRun r = CliRun.of("encode", "--text", "The cat sat.", "--text-pair", "A dog ran.", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("[CLS]", o.getAsJsonArray("tokens").get(0).getAsString());
        assertEquals(101, o.getAsJsonArray("input_ids").get(0).getAsInt());
        int n = o.getAsJsonArray("tokens").size();
        assertEquals(n, o.getAsJsonArray("input_ids").size());
        assertEquals(1, o.getAsJsonArray("token_type_ids").get(n - 1).getAsInt(), "the pair's segment has type 1");
        assertEquals(384, o.getAsJsonArray("cls").size());
        assertEquals(384, o.getAsJsonArray("mean").size());
        assertTrue(o.getAsJsonArray("mean").get(0).getAsDouble() != o.getAsJsonArray("cls").get(0).getAsDouble());
    }

    @Test
    void aMissingModelFolderIsOneErrorLineWithExitCodeOne(@TempDir Path tmp) {
        CliRun r = CliRun.of("inspect", "--model", tmp.toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode());
        assertTrue(r.err().startsWith("childtune: error: "), r.err());
        assertTrue(r.err().contains("config.json"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun r = CliRun.of("encode", "--bogus");
        assertEquals(2, r.exitCode());
    }

    @Test
    void convertImportsAnOnnxBertThatInspectThenReads(@TempDir Path tmp) throws Exception {
        Path onnx = tmp.resolve("model.onnx");
        Path tokenizer = tmp.resolve("tokenizer.json");
        ClassLoader loader = ChildTuneCliTest.class.getClassLoader();
        try (var in = loader.getResourceAsStream("all-minilm-l6-v2.onnx")) {
            java.nio.file.Files.copy(in, onnx);
        }
        try (var in = loader.getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            java.nio.file.Files.copy(in, tokenizer);
        }
        Path output = tmp.resolve("converted");
        CliRun r = CliRun.of("convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--output", output.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("6 layers, hidden 384, 12 heads"), r.out());
        CliRun inspect = CliRun.of("inspect", "--model", output.toString());
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("local folder"), inspect.out());
    }

    @Test
    void convertRejectsAFileThatIsNotOnnx(@TempDir Path tmp) throws Exception {
        Path bogus = java.nio.file.Files.writeString(tmp.resolve("bogus.onnx"), "{\"not\": \"onnx\"}");
        CliRun r = CliRun.of("convert", "--onnx", bogus.toString(), "--tokenizer", bogus.toString(),
                "--output", tmp.resolve("out").toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode());
        assertTrue(r.err().contains("bogus.onnx"), r.err());
    }

    @Test
    void trainThenEvaluateOnGenericCsv(@TempDir Path tmp) throws Exception {
        Path train = tmp.resolve("train.csv");
        Path dev = tmp.resolve("dev.csv");
        ToyData.writeCsv(train, 16);
        ToyData.writeCsv(dev, 6);
        Path output = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--train-file", train.toString(), "--validation-file", dev.toString(), "--max-steps",
                "3", "--batch-size", "4", "--learning-rate", "1e-4", "--output", output.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("custom accuracy = "), r.out());
        JsonObject results = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("results.json")))
                .getAsJsonObject();
        assertEquals(3, results.get("steps").getAsInt());
        assertEquals("vanilla", results.get("method").getAsString());
        JsonObject runJson = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("run.json")))
                .getAsJsonObject();
        assertEquals(1e-4, runJson.getAsJsonObject("arguments").get("learning_rate").getAsDouble());
        assertTrue(runJson.getAsJsonObject("provenance").has("djl_version"));
        assertTrue(r.err().contains("step 3/3"), "progress lines on a non-terminal: " + r.err());

        CliRun e = CliRun.of("evaluate", "--model", output.resolve("model").toString(), "--train-file", train.toString(),
                "--validation-file", dev.toString());
        assertEquals(0, e.exitCode(), e.err());
        double trained = results.getAsJsonObject("metrics").get("accuracy").getAsDouble();
        assertTrue(e.out().contains(String.format(java.util.Locale.ROOT, "accuracy               %.4f", trained)),
                "evaluate reproduces the run's accuracy " + trained + ": " + e.out());
    }

    @Test
    void aMalformedRowIsOneLineNamingFileAndLine(@TempDir Path tmp) throws Exception {
        Path train = java.nio.file.Files.writeString(tmp.resolve("train.tsv"), "text\tlabel\ngood\t1\nbad row without label\n");
        CliRun r = CliRun.of("train", "--train-file", train.toString(), "--validation-file", train.toString(), "--output",
                tmp.resolve("run").toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode());
        assertTrue(r.err().contains("train.tsv:3"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("run")), "nothing written for rejected input");
    }

    @Test
    void childTuningRunsRecordTheirChildNetwork(@TempDir Path tmp) throws Exception {
        Path train = tmp.resolve("train.csv");
        Path dev = tmp.resolve("dev.csv");
        ToyData.writeCsv(train, 16);
        ToyData.writeCsv(dev, 6);
        CliRun fisher = CliRun.of("fisher", "--train-file", train.toString(), "--validation-file", dev.toString(),
                "--reserve-p", "0.25", "--batch-size", "8", "--output", tmp.resolve("fisher").toString());
        assertEquals(0, fisher.exitCode(), fisher.err());
        assertTrue(fisher.out().contains("output.LayerNorm") && fisher.out().contains("layer"), fisher.out());
        assertTrue(fisher.err().matches("(?s).*Fisher pass 100% \\(\\d+ s, about 0 s left\\).*"),
                "progress with the time left: " + fisher.err());
        assertTrue(java.nio.file.Files.exists(tmp.resolve("fisher/child_mask.safetensors")));
        JsonObject summary = JsonParser.parseString(java.nio.file.Files.readString(
                tmp.resolve("fisher/child_mask_summary.json"))).getAsJsonObject();
        assertEquals(0.25, summary.get("kept_fraction").getAsDouble(), 0.001);
        assertEquals(6, summary.getAsJsonObject("kept_fraction_per_layer").size(), "MiniLM has 6 layers");

        for (String method : new String[] {"childtuning-d", "childtuning-f"}) {
            Path output = tmp.resolve(method);
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--train-file",
                    train.toString(), "--validation-file", dev.toString(), "--max-steps", "2", "--batch-size", "8",
                    "--method", method, "--reserve-p", "0.25", "--output", output.toString()));
            if (method.equals("childtuning-d")) {
                args.addAll(java.util.List.of("--mask", tmp.resolve("fisher/child_mask.safetensors").toString()));
            }
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.err());
            JsonObject results = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("results.json")))
                    .getAsJsonObject();
            assertEquals(method, results.get("method").getAsString());
            JsonObject details = results.getAsJsonObject("method_details");
            if (method.equals("childtuning-d")) {
                assertEquals(summary.get("kept").getAsLong(), details.get("kept").getAsLong(), "the saved mask was reused");
            } else {
                assertEquals(0.25, details.get("reserve_p").getAsDouble());
            }
        }
    }

    @Test
    void baselinesCombineWithAChildTuningMaskAndContradictionsAreRefused(@TempDir Path tmp) throws Exception {
        Path train = tmp.resolve("train.csv");
        Path dev = tmp.resolve("dev.csv");
        ToyData.writeCsv(train, 16);
        ToyData.writeCsv(dev, 6);
        java.util.List<String> common = java.util.List.of("train", "--train-file", train.toString(), "--validation-file",
                dev.toString(), "--max-steps", "2", "--batch-size", "8");
        java.util.function.Function<String[], CliRun> train_ = extra -> {
            java.util.List<String> args = new java.util.ArrayList<>(common);
            args.addAll(java.util.List.of(extra));
            return CliRun.of(args.toArray(String[]::new));
        };
        Path output = tmp.resolve("r3f");
        CliRun r = train_.apply(new String[] {"--method", "r3f", "--r3f-sigma", "1e-3", "--child", "childtuning-d",
            "--reserve-p", "0.3", "--llrd", "0.9", "--output", output.toString()});
        assertEquals(0, r.exitCode(), r.err());
        JsonObject results = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("results.json")))
                .getAsJsonObject();
        assertEquals("r3f+childtuning-d", results.get("method").getAsString());
        JsonObject details = results.getAsJsonObject("method_details");
        assertEquals(1e-3, details.get("r3f_sigma").getAsDouble());
        assertEquals(1.0, details.get("r3f_lambda").getAsDouble(), "the default");
        assertEquals("uniform", details.get("r3f_noise").getAsString());
        assertEquals(0.9, details.get("llrd").getAsDouble());
        assertEquals(0.3, details.get("kept_fraction").getAsDouble(), 0.01);
        JsonObject estimation = details.getAsJsonObject("estimation");
        assertTrue(estimation.get("fisher_seconds").getAsDouble() > 0, "the Fisher pass's time is recorded");
        assertTrue(estimation.get("mask_seconds").getAsDouble() > 0, "the threshold's and masks' time is recorded");
        assertTrue(estimation.get("fisher_batches").getAsInt() > 0);

        String[][] refused = {
            {"--method", "r3f", "--mixout-p", "0.5"},
            {"--method", "childtuning-d", "--child", "childtuning-f"},
            {"--method", "top-k", "--top-k", "0", "--child", "childtuning-d"},
            {"--method", "top-k", "--top-k", "7"},
            {"--reserve-p", "0.3"},
            {"--method", "dropout"},
            {"--child", "vanilla"},
        };
        String[] says = {"mixout", "already chooses", "frozen", "only 6 layers", "--child childtuning-f", "wd-pre, top-k",
            "--child takes"};
        for (int i = 0; i < refused.length; i++) {
            Path out = tmp.resolve("refused" + i);
            java.util.List<String> extra = new java.util.ArrayList<>(java.util.List.of(refused[i]));
            extra.addAll(java.util.List.of("--output", out.toString()));
            CliRun bad = train_.apply(extra.toArray(String[]::new));
            assertEquals(ChildTuneCli.INPUT_ERROR, bad.exitCode(), String.join(" ", refused[i]) + ": " + bad.err());
            // Progress notices may precede it (the model loads first for checks that need it); the error is one line.
            java.util.List<String> errors = bad.err().lines().filter(l -> l.startsWith("childtune:")).toList();
            assertEquals(1, errors.size(), bad.err());
            assertTrue(errors.get(0).startsWith("childtune: error: ") && errors.get(0).contains(says[i]), bad.err());
            assertTrue(!bad.err().contains("\tat "), "no stack trace: " + bad.err());
            assertTrue(!java.nio.file.Files.exists(out), "nothing written for " + String.join(" ", refused[i]));
        }
    }

    /**
     * The fixture XLNet with a word-level tokenizer.json over the toy CSV's words (id 9 on) and
     * XLNet's post-processor ({@code A <sep> <cls>}, {@code <cls>} in segment 2).
     */
    private static Path xlnetFolder(Path dir) throws java.io.IOException {
        Path fixture = Fixtures.fixture("hf/xlnet");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.copy(fixture.resolve("config.json"), dir.resolve("config.json"));
        java.nio.file.Files.copy(fixture.resolve("pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
        java.util.List<String> specials = java.util.List.of("<unk>", "<s>", "</s>", "<cls>", "<sep>", "<pad>",
                "<mask>", "<eod>", "<eop>");
        JsonObject vocab = new JsonObject();
        com.google.gson.JsonArray added = new com.google.gson.JsonArray();
        for (int id = 0; id < specials.size(); id++) {
            vocab.addProperty(specials.get(id), id);
            JsonObject token = new JsonObject();
            token.addProperty("id", id);
            token.addProperty("content", specials.get(id));
            for (String flag : new String[] {"single_word", "lstrip", "rstrip", "normalized"}) {
                token.addProperty(flag, false);
            }
            token.addProperty("special", true);
            added.add(token);
        }
        String words = "a wonderful , moving film great acting and clever plot i loved every minute dull lifeless "
                + "mess terrible pacing flat jokes want my money back";
        for (String w : words.split(" ")) {
            if (!vocab.has(w)) {
                vocab.addProperty(w, vocab.size());
            }
        }
        String json = """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": %s,
                 "normalizer": {"type": "Lowercase"},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<sep>", "type_id": 0}},
                              {"SpecialToken": {"id": "<cls>", "type_id": 2}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<sep>", "type_id": 0}},
                            {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "<sep>", "type_id": 1}},
                            {"SpecialToken": {"id": "<cls>", "type_id": 2}}],
                   "special_tokens": {"<sep>": {"id": "<sep>", "ids": [4], "tokens": ["<sep>"]},
                                      "<cls>": {"id": "<cls>", "ids": [3], "tokens": ["<cls>"]}}},
                 "decoder": null,
                 "model": {"type": "WordLevel", "vocab": %s, "unk_token": "<unk>"}}
                """.formatted(added, vocab);
        java.nio.file.Files.writeString(dir.resolve("tokenizer.json"), json);
        return dir;
    }

    @Test
    void inspectAndTrainAcceptAnXLNetFolder(@TempDir Path tmp) throws Exception {
        Path model = xlnetFolder(tmp.resolve("xlnet"));
        CliRun inspect = CliRun.of("inspect", "--model", model.toString());
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("XLNetForSequenceClassification (model_type xlnet)"), inspect.out());
        assertTrue(inspect.out().contains("hidden size:    32 (4 heads of 8, feed-forward 37)"), inspect.out());
        assertTrue(inspect.out().contains("max positions:  none (relative positions)"), inspect.out());
        assertTrue(inspect.out().contains("parameters:     20,717"), inspect.out());
        assertTrue(inspect.out().contains("tokenizer:      WordLevel") && inspect.out().contains("pads on the left"),
                inspect.out());

        // encode reports XLNet's <cls>, the last token, as the classification vector.
        String text = "a wonderful , moving film";
        CliRun encode = CliRun.of("encode", "--model", model.toString(), "--text", text, "--json");
        assertEquals(0, encode.exitCode(), encode.err());
        JsonObject encoded = JsonParser.parseString(encode.out()).getAsJsonObject();
        int n = encoded.getAsJsonArray("tokens").size();
        assertEquals("<cls>", encoded.getAsJsonArray("tokens").get(n - 1).getAsString());
        try (dev.childtune.model.PretrainedModel loaded = dev.childtune.model.PretrainedModel.load(model);
                ai.djl.ndarray.NDManager manager = loaded.manager().newSubManager()) {
            long[] ids = new long[n];
            long[] types = new long[n];
            long[] ones = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = encoded.getAsJsonArray("input_ids").get(i).getAsLong();
                types[i] = encoded.getAsJsonArray("token_type_ids").get(i).getAsLong();
                ones[i] = 1;
            }
            float[] last = loaded.classifier().baseModel().forward(new dev.childtune.model.ModelInputs(
                    manager.create(new long[][] {ids}), manager.create(new long[][] {ones}),
                    manager.create(new long[][] {types})), false).lastHiddenState()
                    .get(new ai.djl.ndarray.index.NDIndex("0, {}", n - 1)).toFloatArray();
            for (int i = 0; i < last.length; i++) {
                assertEquals(last[i], encoded.getAsJsonArray("cls").get(i).getAsFloat(), 1e-6, "cls[" + i + "]");
            }
        }

        // The fixture folder itself has no tokenizer: inspect still describes the model.
        CliRun bare = CliRun.of("inspect", "--model", model.resolveSibling("bare").toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, bare.exitCode(), "no folder yet");
        java.nio.file.Files.createDirectories(model.resolveSibling("bare"));
        java.nio.file.Files.copy(model.resolve("config.json"), model.resolveSibling("bare/config.json"));
        java.nio.file.Files.copy(model.resolve("pytorch_model.bin"), model.resolveSibling("bare/pytorch_model.bin"));
        bare = CliRun.of("inspect", "--model", model.resolveSibling("bare").toString());
        assertEquals(0, bare.exitCode(), bare.err());
        assertTrue(bare.out().contains("tokenizer:      none usable (no tokenizer in "), bare.out());

        // Three classes, as the checkpoint's head has three outputs.
        String[] texts = {"a wonderful , moving film", "a dull , lifeless mess", "great acting and flat jokes"};
        String[] labels = {"pos", "neg", "mixed"};
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 12; i++) {
            csv.append('"').append(texts[i % 3]).append("\",").append(labels[i % 3]).append('\n');
        }
        Path train = java.nio.file.Files.writeString(tmp.resolve("train.csv"), csv);
        Path dev = java.nio.file.Files.writeString(tmp.resolve("dev.csv"), csv);
        Path output = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--model", model.toString(), "--train-file", train.toString(), "--validation-file",
                dev.toString(), "--max-steps", "3", "--batch-size", "4", "--learning-rate", "1e-3", "--method",
                "childtuning-d", "--reserve-p", "0.3", "--output", output.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonObject results = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("results.json")))
                .getAsJsonObject();
        assertEquals(3, results.get("steps").getAsInt());
        assertEquals("childtuning-d", results.get("method").getAsString());
        assertEquals(0.3, results.getAsJsonObject("method_details").get("kept_fraction").getAsDouble(), 0.01);
        JsonObject config = JsonParser.parseString(java.nio.file.Files.readString(output.resolve("model/config.json")))
                .getAsJsonObject();
        assertEquals("XLNetForSequenceClassification", config.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals(32, config.get("d_model").getAsInt(), "XLNet's own field names are written back");
    }

    @Test
    void benchReportsTheSelectedFiguresWithTargetsAndJson(@TempDir Path tmp) throws Exception {
        Path tiny = Fixtures.fixture("hf/bert");
        Path json = tmp.resolve("bench.json");
        CliRun r = CliRun.of("bench", "--model", tiny.toString(), "--only", "gemm,step,overhead", "--gemm-size", "32",
                "--rounds", "1", "--batch-size", "2", "--seq-len", "8", "--json", json.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String figure : new String[] {"fp32 matmul peak", "s/step", "tokens/s", "MFU", "ChildTuning-F step ÷ vanilla",
            "ChildTuning-D step ÷ vanilla", "≤ 1.050×", "≥ 65.0 %"}) {
            assertTrue(r.out().contains(figure), figure + " in\n" + r.out());
        }
        assertTrue(r.err().contains("round 1/1"), "progress lines go to stderr: " + r.err());
        JsonObject root = JsonParser.parseString(java.nio.file.Files.readString(json)).getAsJsonObject();
        assertTrue(root.getAsJsonObject("figures").has("step.mfu"), root.toString());
        assertTrue(root.getAsJsonObject("machine").has("cpu_model"), root.toString());
        assertEquals(1, root.getAsJsonObject("figures").getAsJsonObject("overhead.childtuning_d_ratio")
                .getAsJsonArray("repeats").size());
    }

    @Test
    void benchRejectsAnUnknownSection() {
        CliRun r = CliRun.of("bench", "--only", "step,warp");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.err().contains("unknown benchmark section 'warp'"), r.err());
    }
}
