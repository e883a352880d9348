package dev.childtune.checkpoint;

import static dev.childtune.checkpoint.CheckpointTestSupport.assertOneLineError;
import static dev.childtune.testing.Fixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void fallsBackToPytorchBinAndPrefersSafetensors() throws IOException {
        Path bert = fixture("hf/bert");
        Files.copy(bert.resolve("pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
        Checkpoints.LoadedWeights fromBin = Checkpoints.load(dir);
        assertEquals(dir.resolve("pytorch_model.bin"), fromBin.source());
        assertEquals(27794L, fromBin.tensors().values().stream().mapToLong(TensorData::numel).sum());

        SafeTensors.write(dir.resolve("model.safetensors"),
                Map.of("only", TensorData.ofFloats(new long[] {1}, new float[] {4f})), Map.of("format", "pt"));
        assertEquals(dir.resolve("model.safetensors"), Checkpoints.weightsFile(dir));
        Map<String, TensorData> preferred = Checkpoints.readWeights(dir);
        assertEquals(1, preferred.size());
        assertArrayEquals(new float[] {4f}, preferred.get("only").toFloats());
    }

    @Test
    void emptyFolderListsTheAcceptedFiles() {
        assertOneLineError(dir, () -> Checkpoints.readWeights(dir), "no model weights found",
                "model.safetensors, model.safetensors.index.json, pytorch_model.bin");
        Path missing = dir.resolve("no-such-model");
        assertOneLineError(missing, () -> Checkpoints.load(missing), "not a folder");
    }
}
