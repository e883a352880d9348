package dev.childtune.cli;

import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.checkpoint.hub.ResolvedModel;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by the commands that load a model. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, defaultValue = "minilm", paramLabel = "MODEL",
            description = "A model folder, a Hugging Face model id (org/name[@revision]) or 'minilm', "
                    + "the embedded all-MiniLM-L6-v2 (default: ${DEFAULT-VALUE}).")
    String model;

    ResolvedModel resolve() {
        return ModelResolver.fromSystem().resolve(model);
    }
}
