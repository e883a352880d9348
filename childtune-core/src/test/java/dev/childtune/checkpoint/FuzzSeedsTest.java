package dev.childtune.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fuzzers' seed inputs are valid checkpoints, so that mutation starts from the interesting paths. */
class FuzzSeedsTest {
    private static final String SAFETENSORS =
            "SafeTensorsFuzzTestInputs/anyFileLoadsOrFailsWithAOneLineError/";
    private static final String PICKLE = "PickleFuzzTestInputs/anyPickleLoadsOrFailsWithAOneLineError/";

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = FuzzSeedsTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("seed " + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    @Test
    void safetensorsSeedsLoad() throws IOException {
        Path file = SafeTensorsFuzzTest.scratchDir().resolve("seed.safetensors");
        file.toFile().deleteOnExit();
        java.nio.file.Files.write(file, seed(SAFETENSORS + "three-tensors"));
        Map<String, TensorData> tensors = SafeTensors.read(file);
        assertEquals(List.of("w", "ids", "s"), List.copyOf(tensors.keySet()));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, tensors.get("w").toFloats());
        assertArrayEquals(new float[] {1}, tensors.get("s").toFloats());

        java.nio.file.Files.write(file, seed(SAFETENSORS + "f16-and-empty"));
        assertArrayEquals(new float[] {1, -2}, SafeTensors.read(file).get("h").toFloats());

        java.nio.file.Files.write(file, seed(SAFETENSORS + "empty-header"));
        assertEquals(Map.of(), SafeTensors.read(file));
    }

    @Test
    void pickleSeedsLoad() throws IOException {
        Map<String, byte[]> entries = Map.of("archive/data/0", floats(), "archive/data/1", longs());
        Map<String, TensorData> strided = PytorchBin.readPickle(Path.of("seed.bin"), "archive/data.pkl",
                seed(PICKLE + "strided-views"), entries::get);
        assertEquals(List.of("transposed", "slice", "scalar", "ids"), List.copyOf(strided.keySet()));
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, strided.get("transposed").toFloats());
        assertArrayEquals(new long[] {-7, 1L << 40}, strided.get("ids").toLongs());

        Map<String, TensorData> parameter = PytorchBin.readPickle(Path.of("seed.bin"), "archive/data.pkl",
                seed(PICKLE + "protocol4-parameter"), entries::get);
        assertArrayEquals(new long[] {2, 3}, parameter.get("w").shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, parameter.get("w").toFloats());
    }

    private static byte[] floats() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i);
        }
        return b.array();
    }

    private static byte[] longs() {
        return java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(-7).putLong(1L << 40).array();
    }
}
