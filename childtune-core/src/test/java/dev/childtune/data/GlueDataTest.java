package dev.childtune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.testing.Fixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the real GLUE files that ChildTune ships and checks every example against the raw
 * lines, split here by the column positions of the GLUE layouts (not by header names, as the reader
 * does).
 */
class GlueDataTest {
    @TempDir static Path cache;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // task, train rows, dev rows, header lines, text column, pair column (-1: none), label
        // column
        "cola, 8551, 1043, 0, 3, -1, 1",
        "rte,  2490,  277, 1, 1,  2, 3",
        "mrpc, 3668,  408, 1, 3,  4, 0",
        "stsb, 5749, 1500, 1, 7,  8, 9",
    })
    void everyExampleMatchesTheRawFile(
            String name, int trainRows, int devRows, int headerLines, int text, int pair, int label)
            throws IOException {
        GlueTask glue = GlueTasks.byName(name);
        Path dir = glueFolder(glue);
        TaskData data = glue.read(dir);

        assertEquals(List.of("dev"), List.copyOf(data.devSplits().keySet()));
        assertEquals(trainRows, data.train().size(), "train rows");
        assertEquals(devRows, data.dev().size(), "dev rows");
        for (String split : List.of("train", "dev")) {
            List<Example> examples = split.equals("train") ? data.train() : data.dev();
            List<String[]> raw = rawRows(dir.resolve(split + ".tsv"), headerLines);
            assertEquals(raw.size(), examples.size(), split + " rows against the raw file");
            for (int row = 0; row < raw.size(); row++) {
                String[] cells = raw.get(row);
                Example example = examples.get(row);
                assertEquals(cells[text], example.textA(), split + " row " + row);
                if (pair < 0) {
                    assertNull(example.textB());
                } else {
                    assertEquals(cells[pair], example.textB(), split + " row " + row);
                }
                if (glue.task().regression()) {
                    assertEquals(Double.parseDouble(cells[label]), example.score(), 0.0);
                    assertEquals(Example.NO_LABEL, example.label());
                } else {
                    assertEquals(glue.task().labels().indexOf(cells[label]), example.label());
                    assertEquals(Double.NaN, example.score());
                }
                assertEquals(row + 1 + headerLines, example.line(), "line number of row " + row);
                assertEquals(dir.resolve(split + ".tsv"), example.file());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cola, 0, 1", "rte, 1, 3", "mrpc, 1, 0"})
    void labelCountsMatchTheRawFiles(String name, int headerLines, int labelColumn)
            throws IOException {
        GlueTask glue = GlueTasks.byName(name);
        Path dir = glueFolder(glue);
        TaskData data = glue.read(dir);
        List<String> labels = glue.task().labels();
        for (String split : List.of("train", "dev")) {
            Map<String, Integer> expected = new TreeMap<>();
            for (String[] cells : rawRows(dir.resolve(split + ".tsv"), headerLines)) {
                expected.merge(cells[labelColumn], 1, Integer::sum);
            }
            Map<String, Integer> actual = new TreeMap<>();
            for (Example example : split.equals("train") ? data.train() : data.dev()) {
                actual.merge(labels.get(example.label()), 1, Integer::sum);
            }
            assertEquals(expected, actual, name + " " + split);
            assertEquals(
                    labels.size(), actual.size(), "every class occurs in " + name + " " + split);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"rte, 0, 'not_entailment'", "mrpc, 0, '1'", "cola, 0, '1'"})
    void firstTrainLabelMapsToItsClassId(String name, int row, String rawLabel) {
        GlueTask glue = GlueTasks.byName(name);
        Example example = glue.read(glueFolder(glue)).train().get(row);
        assertEquals(rawLabel, glue.task().labels().get(example.label()));
        assertEquals(name.equals("rte") ? 1 : Integer.parseInt(rawLabel), example.label());
    }

    @Test
    void mrpcHeaderStartsWithAByteOrderMarkThatIsSkipped() throws IOException {
        GlueTask mrpc = GlueTasks.byName("MRPC");
        Path train = glueFolder(mrpc).resolve("train.tsv");
        byte[] head = Files.readAllBytes(train);
        assertEquals(
                List.of((byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 'Q'),
                List.of(head[0], head[1], head[2], head[3]),
                "the raw file starts with a BOM, then Quality");
        assertEquals(3668, mrpc.readSplit(train).size());
    }

    @Test
    void colaDevHasNoFinalNewlineAndItsLastRowIsRead() throws IOException {
        GlueTask cola = GlueTasks.byName("CoLA");
        Path dev = glueFolder(cola).resolve("dev.tsv");
        byte[] bytes = Files.readAllBytes(dev);
        assertFalse(bytes[bytes.length - 1] == '\n', "the raw file lacks a final newline");
        List<Example> examples = cola.readSplit(dev);
        assertEquals(1043, examples.size());
        assertEquals("John talked to Bill about himself.", examples.get(1042).textA());
    }

    @Test
    void stsbScoresParse() {
        GlueTask stsb = GlueTasks.byName("sts-b");
        TaskData data = stsb.read(glueFolder(stsb));
        assertEquals(5.0, data.dev().get(0).score(), 0.0);
        assertEquals(4.75, data.dev().get(1).score(), 0.0);
        assertEquals(3.8, data.train().get(1).score(), 0.0);
        for (Example example : data.train()) {
            assertTrue(example.score() >= 0 && example.score() <= 5, example.source());
        }
    }

    /** The copy of the task that ChildTune ships, as the data options find it. */
    private static Path glueFolder(GlueTask glue) {
        return glue.dataDir(null, Map.of(), cache);
    }

    /** The file's lines after the header, split on tabs. */
    private static List<String[]> rawRows(Path file, int headerLines) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(headerLines, lines.size())) {
            rows.add(line.split("\t", -1));
        }
        return rows;
    }
}
