package dev.childtune.checkpoint;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the safetensors reader (see {@link FuzzProperty}). Runs in the
 * fuzzing pass of {@code mvn test} for {@code fuzz.duration} (README, "Testing"); with
 * {@code -Dtest=SafeTensorsFuzzTest} it only replays the inputs under
 * {@code src/test/resources/dev/childtune/checkpoint/SafeTensorsFuzzTestInputs}.
 */
class SafeTensorsFuzzTest {
    private static final Path DIR = scratchDir();
    private static long count;

    @FuzzTest(maxDuration = "20s")
    @DictionaryEntries({"\"dtype\":", "\"shape\":", "\"data_offsets\":", "\"__metadata__\":", "\"format\":\"pt\"",
        "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"I32\"", "\"I16\"", "\"I8\"", "\"U8\"", "\"BOOL\"",
        "[0,4]", "[]", "[2,3]", "1e400", "-1", "9223372036854775807", "18446744073709551616", "0.5", "null", "true",
        "{}", "\"\\u0000\""})
    void anyFileLoadsOrFailsWithAOneLineError(byte[] input) throws Exception {
        // A new file each time: rewriting a file that earlier runs still have memory-mapped is slow.
        Path file = DIR.resolve("model-" + count++ + ".safetensors");
        Files.write(file, input);
        try {
            FuzzProperty.check(input.length, () -> {
                SafeTensorsFile opened = SafeTensors.open(file);
                for (TensorData tensor : opened.readAll().values()) {
                    ByteBuffer data = tensor.data();
                    if (data.remaining() > 0) {
                        data.get(0);
                        data.get(data.remaining() - 1);
                    }
                }
            });
        } finally {
            Files.delete(file);
        }
    }

    /** A fresh folder, in memory (/dev/shm) where the machine has one. */
    static Path scratchDir() {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "childtune-fuzz")
                    : Files.createTempDirectory("childtune-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
