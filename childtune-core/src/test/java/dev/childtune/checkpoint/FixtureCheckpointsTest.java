package dev.childtune.checkpoint;

import static dev.childtune.checkpoint.CheckpointTestSupport.bytesOf;
import static dev.childtune.testing.Fixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads the Hugging Face reference checkpoints in shared/fixtures/hf in both formats. */
class FixtureCheckpointsTest {

    @ParameterizedTest
    @CsvSource({"bert, 27794", "bert-regression, 20939", "roberta, 21644", "electra, 18125", "xlnet, 20717"})
    void safetensorsAndPytorchBinHoldTheSameTensors(String model, long expectedParams) {
        Path folder = fixture("hf/" + model);
        Map<String, TensorData> safetensors = SafeTensors.read(folder.resolve("model.safetensors"));
        Map<String, TensorData> bin = PytorchBin.read(folder.resolve("pytorch_model.bin"));

        assertEquals(List.copyOf(safetensors.keySet()).stream().sorted().toList(),
                List.copyOf(bin.keySet()).stream().sorted().toList());
        long params = 0;
        for (Map.Entry<String, TensorData> entry : safetensors.entrySet()) {
            TensorData a = entry.getValue();
            TensorData b = bin.get(entry.getKey());
            assertEquals(DType.F32, a.dtype(), entry.getKey());
            assertEquals(DType.F32, b.dtype(), entry.getKey());
            assertArrayEquals(a.shape(), b.shape(), entry.getKey());
            assertArrayEquals(bytesOf(a), bytesOf(b), entry.getKey() + " differs between the two files");
            params += a.numel();
        }
        assertEquals(expectedParams, params, "parameter count of " + model);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "xlnet"})
    void checkpointsPreferSafetensors(String model) {
        Path folder = fixture("hf/" + model);
        Checkpoints.LoadedWeights loaded = Checkpoints.load(folder);
        assertEquals(folder.resolve("model.safetensors"), loaded.source());
        assertEquals(SafeTensors.read(folder.resolve("model.safetensors")).keySet(), loaded.tensors().keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf/bert/model.safetensors", "hf/bert/model-bf16.safetensors",
            "hf/electra/model.safetensors", "hf/xlnet/expected.safetensors"})
    void rewritingAHuggingFaceFileIsByteIdentical(String relative, @TempDir Path dir) throws IOException {
        Path original = fixture(relative);
        SafeTensorsFile file = SafeTensors.open(original);
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, file.readAll(), file.metadata());
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));
    }

    @Test
    void bf16CheckpointWidensToTheFloat32ValuesWithinBf16Rounding() {
        Path folder = fixture("hf/bert");
        Map<String, TensorData> f32 = SafeTensors.read(folder.resolve("model.safetensors"));
        Map<String, TensorData> bf16 = SafeTensors.read(folder.resolve("model-bf16.safetensors"));
        assertEquals(f32.keySet(), bf16.keySet());
        int differing = 0;
        for (String name : f32.keySet()) {
            TensorData half = bf16.get(name);
            assertEquals(DType.BF16, half.dtype(), name);
            assertArrayEquals(f32.get(name).shape(), half.shape(), name);
            float[] exact = f32.get(name).toFloats();
            float[] widened = half.toFloats();
            for (int i = 0; i < exact.length; i++) {
                float tolerance = Math.abs(exact[i]) * 0x1p-8f;
                assertTrue(Math.abs(widened[i] - exact[i]) <= tolerance,
                        name + "[" + i + "]: bf16 " + widened[i] + " vs f32 " + exact[i]);
                if (widened[i] != exact[i]) {
                    differing++;
                }
            }
        }
        assertTrue(differing > 1000, "only " + differing + " values differ: the bf16 file looks like float32");
    }

    @Test
    void expectedOutputsHoldScalarsAndInt64() {
        Map<String, TensorData> expected = SafeTensors.read(fixture("hf/roberta/expected.safetensors"));
        TensorData loss = expected.get("loss");
        assertEquals(0, loss.shape().length);
        assertEquals(DType.F32, loss.dtype());
        float value = loss.toFloats()[0];
        assertTrue(Float.isFinite(value) && value > 0, "loss = " + value);

        TensorData positions = expected.get("position_ids");
        assertEquals(DType.I64, positions.dtype());
        assertArrayEquals(new long[] {3, 12}, positions.shape());
        long[] firstRow = java.util.Arrays.copyOf(positions.toLongs(), 12);
        assertArrayEquals(new long[] {2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 1, 1}, firstRow,
                "sequence 0 has 9 real tokens, then padding (position id 1)");
    }

    @Test
    void childTuningExpectationsHoldF64I64AndU8() {
        SafeTensorsFile file = SafeTensors.open(fixture("childtuning/expected.safetensors"));
        Map<String, TensorData> expected = file.readAll();

        TensorData threshold = expected.get("threshold");
        assertEquals(DType.F64, threshold.dtype());
        assertEquals(0, threshold.shape().length);
        assertEquals(0.0003697131876833729, threshold.toDoubles()[0]);
        assertEquals(0.2999950900967251, expected.get("kept_fraction").toDoubles()[0]);

        TensorData kept = expected.get("kept_count");
        assertEquals(DType.I64, kept.dtype());
        assertArrayEquals(new long[] {6110}, kept.toLongs());
        assertArrayEquals(new long[] {20367}, expected.get("eligible_count").toLongs());

        long ones = 0;
        int masks = 0;
        for (Map.Entry<String, TensorData> entry : expected.entrySet()) {
            if (entry.getKey().startsWith("mask.")) {
                masks++;
                assertEquals(DType.U8, entry.getValue().dtype(), entry.getKey());
                for (long bit : entry.getValue().toLongs()) {
                    assertTrue(bit == 0 || bit == 1, entry.getKey() + " holds " + bit);
                    ones += bit;
                }
            }
        }
        assertEquals(48, masks);
        assertEquals(6110, ones, "the masks keep kept_count values");
        assertEquals(20, expected.get("schedule.linear_warmup.lr").numel());
    }
}
