package dev.childtune.data;

import static dev.childtune.data.DataTestSupport.assertError;
import static dev.childtune.data.DataTestSupport.assertErrorAt;
import static dev.childtune.data.DataTestSupport.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Every malformed input gives one line naming the file, the line, and what was expected. */
class DataErrorsTest {
    private static final String RTE_HEADER = "index\tsentence1\tsentence2\tlabel\n";
    private static final String STSB_HEADER =
            "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2"
                + "\tscore\n";

    private final GlueTask rte = GlueTasks.byName("rte");

    @TempDir Path dir;

    @Test
    void rowWithTooFewColumns() throws IOException {
        Path file = write(dir, "dev.tsv", RTE_HEADER + "0\ta\tb\tentailment\n1\ta\tentailment\n");
        assertErrorAt(
                () -> rte.readSplit(file),
                file,
                3,
                "found 3 tab-separated columns, expected 4",
                "\"sentence1\"");
    }

    @Test
    void rowWithTooManyColumnsInAHeaderlessFile() throws IOException {
        Path file = write(dir, "train.tsv", "gj04\t1\t\tFine.\ngj04\t0\t*\tNot\tfine.\n");
        assertErrorAt(
                () -> GlueTasks.byName("cola").readSplit(file),
                file,
                2,
                "found 5 tab-separated columns, expected 4",
                "\"original_label\"");
    }

    @Test
    void unknownLabelListsTheKnownOnes() throws IOException {
        Path file = write(dir, "dev.tsv", RTE_HEADER + "0\ta\tb\tentailment\n1\ta\tb\tneutral\n");
        assertErrorAt(
                () -> rte.readSplit(file),
                file,
                3,
                "unknown label \"neutral\"",
                "expected one of \"entailment\", \"not_entailment\"");
    }

    @Test
    void nonNumericScore() throws IOException {
        Path file =
                write(dir, "dev.tsv", STSB_HEADER + "0\tg\tf\ty\t1\tn\tn\tA man.\tA guy.\tfive\n");
        assertErrorAt(
                () -> GlueTasks.byName("stsb").readSplit(file),
                file,
                2,
                "score \"five\"",
                "expected a decimal number");
    }

    @Test
    void scoreSpellingsJavaWouldAcceptAreRejected() throws IOException {
        for (String score : List.of("NaN", "Infinity", "2.5f", "0x1p1", "")) {
            Path file =
                    write(
                            dir,
                            "dev.tsv",
                            STSB_HEADER + "0\tg\tf\ty\t1\tn\tn\tA.\tB.\t" + score + "\n");
            assertErrorAt(
                    () -> GlueTasks.byName("stsb").readSplit(file), file, 2, "is not a number");
        }
    }

    @Test
    void headerOnlyFileIsAnEmptySplit() throws IOException {
        Path file = write(dir, "dev.tsv", RTE_HEADER);
        assertErrorAt(
                () -> rte.readSplit(file),
                file,
                2,
                "no examples",
                "at least one data row after the header");
    }

    @Test
    void emptyFile() throws IOException {
        Path tsv = write(dir, "dev.tsv", "");
        assertErrorAt(() -> rte.readSplit(tsv), tsv, 1, "empty file", "header line");
        Path cola = write(dir, "cola.tsv", "\n");
        assertErrorAt(() -> GlueTasks.byName("cola").readSplit(cola), cola, 1, "no examples");
        Path jsonl = write(dir, "dev.jsonl", "");
        Path train = write(dir, "train.jsonl", "{\"text\": \"a\", \"label\": 1}\n");
        assertErrorAt(
                () ->
                        FileDataset.read(
                                train, jsonl, new Columns("text", null, "label"), false, null),
                jsonl,
                1,
                "no examples");
    }

    @Test
    void headerLacksTheTextColumn() throws IOException {
        Path file =
                write(
                        dir,
                        "train.tsv",
                        "index\tsentence_1\tsentence2\tlabel\n0\ta\tb\tentailment\n");
        assertErrorAt(
                () -> rte.readSplit(file),
                file,
                1,
                "no column \"sentence1\"",
                "\"index\", \"sentence_1\", \"sentence2\", \"label\"");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.tsv");
        assertError(() -> rte.readSplit(file), file + ": no such file");
    }

    @Test
    void folderInsteadOfAFile() {
        assertError(() -> rte.readSplit(dir), dir + ": is a folder; expected a data file");
    }

    @Test
    void blankLineInTheMiddle() throws IOException {
        Path file =
                write(
                        dir,
                        "dev.tsv",
                        RTE_HEADER + "0\ta\tb\tentailment\n\n\n1\ta\tb\tentailment\n");
        assertErrorAt(() -> rte.readSplit(file), file, 3, "blank line inside the data");
    }

    @Test
    void blankLinesAtTheEndAreFine() throws IOException {
        Path file =
                write(
                        dir,
                        "dev.tsv",
                        RTE_HEADER + "0\ta\tb\tentailment\n1\ta\tb\tnot_entailment\n\n\r\n");
        assertEquals(2, rte.readSplit(file).size());
    }

    @Test
    void invalidUtf8() throws IOException {
        Path file = dir.resolve("dev.tsv");
        Files.write(
                file,
                (RTE_HEADER + "0\ta\tb\tentailment\n1\tcaf").getBytes(StandardCharsets.UTF_8));
        Files.write(
                file,
                new byte[] {(byte) 0xE9, '\t', 'b', '\t', 'e', '\n'},
                StandardOpenOption.APPEND);
        assertErrorAt(() -> rte.readSplit(file), file, 3, "not valid UTF-8");
    }

    @Test
    void unclosedCsvQuote() throws IOException {
        Path train = write(dir, "train.csv", "text,label\nfine,a\n\"never closed,b\nmore\n");
        assertErrorAt(
                () ->
                        FileDataset.read(
                                train, train, new Columns("text", null, "label"), false, null),
                train,
                3,
                "quoted field never closed");
    }

    @Test
    void textAfterAClosingCsvQuote() throws IOException {
        Path train = write(dir, "train.csv", "text,label\n\"quoted\"x,a\n");
        assertErrorAt(
                () ->
                        FileDataset.read(
                                train, train, new Columns("text", null, "label"), false, null),
                train,
                2,
                "after a closing quote; expected a comma or the end of the line");
    }

    @Test
    void csvRowWithTheWrongFieldCount() throws IOException {
        Path train = write(dir, "train.csv", "text,label\n\"a, b\",x\nc,d,e\n");
        assertErrorAt(
                () ->
                        FileDataset.read(
                                train, train, new Columns("text", null, "label"), false, null),
                train,
                3,
                "found 3 comma-separated columns, expected 2");
    }

    @Test
    void jsonLinesErrors() throws IOException {
        Columns columns = new Columns("text", null, "label");
        Path good = write(dir, "good.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n");
        Path notJson =
                write(
                        dir,
                        "a.jsonl",
                        "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", label: \"x\"}\n");
        assertErrorAt(
                () -> FileDataset.read(good, notJson, columns, false, null),
                notJson,
                2,
                "not valid JSON",
                "one JSON object per line");
        Path array = write(dir, "b.json", "[{\"text\": \"a\", \"label\": \"x\"}]\n");
        assertErrorAt(
                () -> FileDataset.read(good, array, columns, false, null),
                array,
                1,
                "one JSON object per line");
        Path missingKey = write(dir, "c.jsonl", "{\"sentence\": \"a\", \"label\": \"x\"}\n");
        assertErrorAt(
                () -> FileDataset.read(good, missingKey, columns, false, null),
                missingKey,
                1,
                "no key \"text\"",
                "\"sentence\", \"label\"");
        Path nested = write(dir, "d.jsonl", "{\"text\": [\"a\"], \"label\": \"x\"}\n");
        assertErrorAt(
                () -> FileDataset.read(good, nested, columns, false, null),
                nested,
                1,
                "expected a string or a number");
    }

    @Test
    void devLabelOutsideTheTrainingLabels() throws IOException {
        Path train =
                write(
                        dir,
                        "train.jsonl",
                        "{\"text\": \"a\", \"label\": 2}\n{\"text\": \"b\", \"label\": 10}\n");
        Path dev =
                write(
                        dir,
                        "dev.jsonl",
                        "{\"text\": \"a\", \"label\": 2}\n{\"text\": \"c\", \"label\": 3}\n");
        assertErrorAt(
                () -> FileDataset.read(train, dev, new Columns("text", null, "label"), false, null),
                dev,
                2,
                "unknown label \"3\"",
                "expected one of \"2\", \"10\"");
    }

    @Test
    void emptyTrainingLabelWhenInferring() throws IOException {
        Path train = write(dir, "train.tsv", "text\tlabel\na\tx\nb\t\n");
        assertErrorAt(
                () ->
                        FileDataset.read(
                                train, train, new Columns("text", null, "label"), false, null),
                train,
                3,
                "empty label in column \"label\"");
    }

    @Test
    void unknownExtension() throws IOException {
        Path train = write(dir, "train.txt", "text\tlabel\na\tx\n");
        assertError(
                () ->
                        FileDataset.read(
                                train, train, new Columns("text", null, "label"), false, null),
                "train.txt: unknown data file type",
                ".csv, .tsv, .jsonl or .json");
    }

    @Test
    void duplicateExplicitLabels() throws IOException {
        Path train = write(dir, "train.tsv", "text\tlabel\na\tx\n");
        assertError(
                () ->
                        FileDataset.read(
                                train,
                                train,
                                new Columns("text", null, "label"),
                                false,
                                List.of("x", "y", "x")),
                "duplicate class labels",
                "\"x\", \"y\", \"x\"");
    }

    @Test
    void labelsGivenForRegression() throws IOException {
        Path train = write(dir, "train.tsv", "text\tlabel\na\t1.5\n");
        assertError(
                () ->
                        FileDataset.read(
                                train,
                                train,
                                new Columns("text", null, "label"),
                                true,
                                List.of("a")),
                "regression");
    }

    @Test
    void longValuesAreShortenedInMessages() throws IOException {
        String label = "x".repeat(500);
        Path file = write(dir, "dev.tsv", RTE_HEADER + "0\ta\tb\t" + label + "\n");
        String message = assertErrorAt(() -> rte.readSplit(file), file, 2, "unknown label \"xxx");
        assertTrue(message.length() < 300, message);
    }

    @Test
    void headerFromAnotherTaskSaysWhichTask() throws IOException {
        Path sst2 = write(dir, "sst2.tsv", "sentence\tlabel\nit 's a charming journey .\t1\n");
        assertErrorAt(
                () -> rte.readSplit(sst2),
                sst2,
                1,
                "no column \"sentence1\" in the header; expected it among the header's columns"
                        + " \"sentence\", \"label\" (the columns of the GLUE SST-2 (task sst2) files,"
                        + " not of RTE)");

        Path mnli =
                write(
                        dir,
                        "mnli.tsv",
                        "index\tpromptID\tpairID\tgenre\tsentence1\tsentence2\tlabel1\tgold_label\n"
                                + "0\t1\t1e\tgov\tA.\tB.\tneutral\tneutral\n");
        assertErrorAt(
                () -> rte.readSplit(mnli),
                mnli,
                1,
                "no column \"label\" in the header",
                "(the columns of the GLUE MNLI (task mnli, mnli-mm) files, not of RTE)");

        Path rteFile = write(dir, "rte.tsv", RTE_HEADER + "0\ta\tb\tentailment\n");
        assertErrorAt(
                () -> GlueTasks.byName("cola").readSplit(rteFile),
                rteFile,
                1,
                "found a header line (the columns of the GLUE RTE (task rte) or WNLI (task wnli)"
                        + " files, not of CoLA); expected no header line, only rows of \"source\","
                        + " \"label\", \"original_label\", \"sentence\"");
    }

    @Test
    void absurdlyLongLineIsRefusedBeforeFillingTheMemory() throws IOException {
        Path file = dir.resolve("dev.tsv");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(RTE_HEADER);
            out.write("0\t");
            String chunk = "x".repeat(1 << 20);
            for (int i = 0; i < 30; i++) { // 30 MiB without a line break
                out.write(chunk);
            }
        }
        assertErrorAt(
                () -> rte.readSplit(file),
                file,
                2,
                "line longer than 4194304 characters; expected one example per line (is this a text"
                        + " file with line breaks?)");

        Path csv = dir.resolve("train.csv");
        try (var out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("text,label\nfine,a\n\"never closed,b\n");
            String line = "y".repeat(1000) + "\n";
            for (int i = 0; i < 5000; i++) { // 5 million characters inside one quoted field
                out.write(line);
            }
        }
        assertErrorAt(
                () -> FileDataset.read(csv, csv, new Columns("text", null, "label"), false, null),
                csv,
                3,
                "quoted field longer than 4194304 characters; expected a closing \" (is one missing?)");
    }
}
