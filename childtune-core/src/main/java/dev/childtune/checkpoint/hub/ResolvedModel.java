package dev.childtune.checkpoint.hub;

import java.nio.file.Path;

/**
 * A model argument resolved to a Hugging Face model folder.
 *
 * @param folder the folder holding config.json, the tokenizer files and the weights
 * @param source where the folder came from, for the user to read (e.g. "local folder /x")
 */
public record ResolvedModel(Path folder, String source) {}
