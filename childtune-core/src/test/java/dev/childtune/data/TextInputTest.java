package dev.childtune.data;

import static dev.childtune.data.DataTestSupport.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** Line splitting and decoding under the readers. */
class TextInputTest {
    @TempDir Path dir;

    @Test
    void linesEndAtNewlinesOnly() throws IOException {
        Path file = write(dir, "a.txt", "\uFEFFone\r\ntwo\rstill two\n\uFEFFthree");
        try (TextInput in = TextInput.open(file)) {
            assertEquals("one", in.readLine(), "BOM and CR before LF dropped");
            assertEquals("two\rstill two", in.readLine(), "a lone CR is text");
            assertEquals("\uFEFFthree", in.readLine(), "a BOM after the start is text");
            assertEquals(3, in.line());
            assertNull(in.readLine());
        }
    }

    @Test
    void multiByteCharactersAcrossChunkBoundaries() throws IOException {
        String line = "é€😀".repeat(30_000);
        Path file = write(dir, "b.txt", line + "\n" + line + "\n");
        try (TextInput in = TextInput.open(file)) {
            assertEquals(line, in.readLine());
            assertEquals(line, in.readLine());
            assertNull(in.readLine());
        }
    }
}
