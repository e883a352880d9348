package dev.childtune.checkpoint.hub;

/**
 * Told about each file as a Hugging Face Hub download starts it; downloads are otherwise silent.
 */
@FunctionalInterface
public interface DownloadListener {
    /** A listener that ignores everything. */
    DownloadListener NONE = (repo, file, bytes) -> {};

    /**
     * @param repo the model id, e.g. "google-bert/bert-base-uncased"
     * @param file the file in the repository, e.g. "model.safetensors"
     * @param bytes its size, or -1 when the server does not say
     */
    void downloading(String repo, String file, long bytes);
}
