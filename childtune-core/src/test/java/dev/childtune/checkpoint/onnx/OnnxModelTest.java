package dev.childtune.checkpoint.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.onnx.TinyOnnx.HeadInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding of ONNX files, well-formed and broken. */
class OnnxModelTest {
    @TempDir
    Path dir;

    @Test
    void decodesNodesInitializersAndConstants() throws IOException {
        Path file = Files.write(dir.resolve("tiny.onnx"), TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of()));
        OnnxModel model = OnnxModel.read(file);
        assertEquals(List.of("x"), model.inputs());
        assertEquals(List.of("encoder.layer.0.output.dense/Add_output_0"), model.outputs());
        assertEquals(5 + 6 * 2 + 4, model.initializers().size());
        OnnxModel.Node reshape = model.nodes().stream().filter(n -> n.opType().equals("Reshape")).findFirst().orElseThrow();
        assertEquals("Concat", model.producer(reshape.inputs().get(1)).orElseThrow().opType());
        assertEquals(2, model.constant("heads").orElseThrow().toLongs()[0]);
        assertTrue(model.constant("q_shape").isEmpty());
    }

    @Test
    void randomBytesAreRejectedNamingTheFile() throws IOException {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        Path file = Files.write(dir.resolve("noise.onnx"), noise);
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> OnnxModel.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    }

    @Test
    void textIsRejectedNamingTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("config.onnx"), "{\"hidden_size\": 384}\n");
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> OnnxModel.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
    }

    @Test
    void truncatedModelIsRejectedNamingTheFile() throws IOException {
        byte[] head;
        try (InputStream in = EmbeddedModels.class.getClassLoader().getResourceAsStream(EmbeddedModels.MINILM_ONNX)) {
            head = in.readNBytes(1 << 20);
        }
        Path file = Files.write(dir.resolve("truncated.onnx"), head);
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> OnnxModel.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": not a valid ONNX file"), e.getMessage());

        byte[] tiny = TinyOnnx.bert("", HeadInfo.RESHAPE, Set.of());
        Path cut = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(tiny, tiny.length - 3));
        e = assertThrows(ChildTuneException.class, () -> OnnxModel.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString() + ": "), e.getMessage());
    }
}
