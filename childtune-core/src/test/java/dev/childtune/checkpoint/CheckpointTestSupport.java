package dev.childtune.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Shared helpers of the checkpoint tests: error assertions, raw files. */
final class CheckpointTestSupport {
    private CheckpointTestSupport() {
    }

    /**
     * Asserts that {@code action} throws a one-line {@link ChildTuneException} whose message names
     * {@code file} and contains every fragment.
     */
    static ChildTuneException assertOneLineError(Path file, Executable action, String... fragments) {
        ChildTuneException e = assertThrows(ChildTuneException.class, action);
        String message = e.getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), "message is not one line: " + message);
        assertTrue(message.contains(file.getFileName().toString()), "message does not name the file: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "message lacks '" + fragment + "': " + message);
        }
        return e;
    }

    /**
     * Asserts that {@code action} throws a {@link ChildTuneException} whose message is exactly
     * {@code "<file>: <problem>"}.
     */
    static void assertExactError(Path file, Executable action, String problem) {
        ChildTuneException e = assertThrows(ChildTuneException.class, action);
        assertEquals(file + ": " + problem, e.getMessage());
    }

    /** Writes a safetensors file by hand: 8-byte header length, {@code header} as is, {@code data}. */
    static void writeRawSafetensors(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Files.write(file, out.array());
    }

    /** The bytes of a tensor (between position 0 and its limit). */
    static byte[] bytesOf(TensorData tensor) {
        ByteBuffer data = tensor.data().duplicate();
        byte[] out = new byte[data.remaining()];
        data.get(out);
        return out;
    }
}
