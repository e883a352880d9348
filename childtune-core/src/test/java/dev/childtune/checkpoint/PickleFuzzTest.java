package dev.childtune.checkpoint;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the restricted unpickler and the tensor rebuilding of
 * {@link PytorchBin} (see {@link FuzzProperty}): the input is {@code archive/data.pkl} of an
 * in-memory archive that also holds two storages, {@code archive/data/0} (six float32) and
 * {@code archive/data/1} (two int64). Runs in the fuzzing pass of {@code mvn test}; with
 * {@code -Dtest=PickleFuzzTest} it only replays the inputs under
 * {@code src/test/resources/dev/childtune/checkpoint/PickleFuzzTestInputs}.
 */
class PickleFuzzTest {
    private static final Path FILE = Path.of("pytorch_model.bin");
    private static final byte[] FLOATS = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(0).putFloat(1).putFloat(2).putFloat(3).putFloat(4).putFloat(5).array();
    private static final byte[] LONGS = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(-7).putLong(1L << 40).array();
    private static final Map<String, byte[]> ENTRIES = Map.of("archive/data/0", FLOATS, "archive/data/1", LONGS);

    @FuzzTest(maxDuration = "20s")
    // libFuzzer dictionary syntax: \xNN escapes (written \\xNN in Java).
    @DictionaryEntries({"ctorch._utils\\x0a_rebuild_tensor_v2\\x0a", "ctorch._utils\\x0a_rebuild_parameter\\x0a",
        "ccollections\\x0aOrderedDict\\x0a", "ctorch\\x0aFloatStorage\\x0a", "ctorch\\x0aLongStorage\\x0a",
        "ctorch\\x0aHalfStorage\\x0a", "cos\\x0asystem\\x0a", "cbuiltins\\x0aeval\\x0a",
        "\\x8c\\x07storage", "\\x8c\\x03cpu", "\\x8c\\x010", "\\x8c\\x011", "\\x80\\x02", "\\x80\\x04\\x95"})
    void anyPickleLoadsOrFailsWithAOneLineError(byte[] input) throws Exception {
        FuzzProperty.check(input.length, () -> {
            Map<String, TensorData> tensors = PytorchBin.readPickle(FILE, "archive/data.pkl", input,
                    name -> {
                        byte[] bytes = ENTRIES.get(name);
                        return bytes == null ? null : bytes.clone();
                    });
            for (TensorData tensor : tensors.values()) {
                if (tensor.dtype().isFloatingPoint()) {
                    tensor.toFloats();
                } else {
                    tensor.toLongs();
                }
            }
        });
    }
}
