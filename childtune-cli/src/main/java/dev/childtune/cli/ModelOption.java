package dev.childtune.cli;

import dev.childtune.checkpoint.hub.ModelResolver;
import dev.childtune.checkpoint.hub.ResolvedModel;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by the commands that load a model. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, defaultValue = "minilm", paramLabel = "MODEL",
            description = "A model folder, a Hugging Face model id (org/name[@revision]) or 'minilm', "
                    + "the embedded all-MiniLM-L6-v2.")
    String model;

    ResolvedModel resolve() {
        return resolve(model);
    }

    /** Where a model named on the command line is: a folder, a Hugging Face download, or the embedded model. */
    static ResolvedModel resolve(String model) {
        return ModelResolver.fromSystem().resolve(model);
    }
}
