package dev.childtune.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads the weights of a Hugging Face model folder, whatever format they were saved in.
 * Preference order: {@value SafeTensors#MODEL_FILE}, then the sharded
 * {@value SafeTensors#INDEX_FILE}, then {@value PytorchBin#MODEL_FILE}.
 */
public final class Checkpoints {
    /** The file names looked for in a model folder, in order of preference. */
    public static final List<String> ACCEPTED_FILES =
            List.of(SafeTensors.MODEL_FILE, SafeTensors.INDEX_FILE, PytorchBin.MODEL_FILE);

    /**
     * Weights read from a checkpoint.
     *
     * @param tensors tensor name to tensor, in file order
     * @param source the file they were read from (for a sharded checkpoint, its index)
     */
    public record LoadedWeights(Map<String, TensorData> tensors, Path source) {
    }

    private Checkpoints() {
    }

    /** The tensors of the model in {@code modelFolder}; see {@link #load(Path)}. */
    public static Map<String, TensorData> readWeights(Path modelFolder) {
        return load(modelFolder).tensors();
    }

    /**
     * Reads the weights of {@code modelFolder}, choosing the first of {@link #ACCEPTED_FILES}
     * present, and says which file was used.
     */
    public static LoadedWeights load(Path modelFolder) {
        Path source = weightsFile(modelFolder);
        String name = source.getFileName().toString();
        Map<String, TensorData> tensors = switch (name) {
            case SafeTensors.MODEL_FILE -> SafeTensors.read(source);
            case SafeTensors.INDEX_FILE -> SafeTensors.readSharded(source);
            default -> PytorchBin.read(source);
        };
        return new LoadedWeights(tensors, source);
    }

    /** The file {@link #load(Path)} would read. */
    public static Path weightsFile(Path modelFolder) {
        if (!Files.isDirectory(modelFolder)) {
            throw CheckpointErrors.inFile(modelFolder, "not a folder; expected a model folder holding one of "
                    + String.join(", ", ACCEPTED_FILES));
        }
        for (String name : ACCEPTED_FILES) {
            Path candidate = modelFolder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw CheckpointErrors.inFile(modelFolder, "no model weights found; expected one of "
                + String.join(", ", ACCEPTED_FILES));
    }
}
