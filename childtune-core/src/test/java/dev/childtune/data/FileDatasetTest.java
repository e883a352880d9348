package dev.childtune.data;

import static dev.childtune.data.DataTestSupport.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The user's own CSV, TSV and JSON Lines files. */
class FileDatasetTest {
    private static final Columns PAIR = new Columns("premise", "hypothesis", "label");

    @TempDir Path dir;

    @Test
    void csvQuotingFollowsRfc4180() throws IOException {
        Path train =
                write(
                        dir,
                        "train.csv",
                        "premise,hypothesis,label\r\n"
                                + "\"Hello, world\",\"She said \"\"hi\"\"\",yes\r\n"
                                + "\"two\nlines\",plain \"quotes\" stay,no\r\n"
                                + "\"\",,yes\r\n");
        TaskData data = FileDataset.read(train, train, PAIR, false, null);
        List<Example> examples = data.train();
        assertEquals(3, examples.size());
        assertEquals("Hello, world", examples.get(0).textA());
        assertEquals("She said \"hi\"", examples.get(0).textB());
        assertEquals("two\nlines", examples.get(1).textA());
        assertEquals("plain \"quotes\" stay", examples.get(1).textB());
        assertEquals("", examples.get(2).textA());
        assertEquals("", examples.get(2).textB());
        assertEquals(
                List.of(2, 3, 5),
                List.of(examples.get(0).line(), examples.get(1).line(), examples.get(2).line()),
                "each example's line is where its row starts");
        assertEquals(List.of("no", "yes"), data.task().labels());
        assertEquals(
                List.of(1, 0, 1),
                List.of(examples.get(0).label(), examples.get(1).label(), examples.get(2).label()));
        assertEquals(List.of("dev"), List.copyOf(data.devSplits().keySet()));
    }

    @Test
    void tsvSplitsOnTabsOnly() throws IOException {
        Path train = write(dir, "train.tsv", "id\tsentence\tlabel\n1\t\"a, b\"\tpos\n2\tc\tneg\n");
        Path dev = write(dir, "dev.tsv", "id\tsentence\tlabel\n1\td\tneg\n");
        TaskData data =
                FileDataset.read(train, dev, new Columns("sentence", null, "label"), false, null);
        assertEquals("\"a, b\"", data.train().get(0).textA());
        assertNull(data.train().get(0).textB());
        assertEquals(List.of("neg", "pos"), data.task().labels());
        assertEquals(0, data.dev().get(0).label());
        assertEquals(FileDataset.TASK_NAME, data.task().name());
        assertEquals(List.of("accuracy"), data.task().metrics());
    }

    @Test
    void jsonLinesLabelsMayBeNumbersOrStrings() throws IOException {
        Path train =
                write(
                        dir,
                        "train.jsonl",
                        "{\"premise\": \"a\", \"hypothesis\": \"b\", \"label\": 10}\n"
                            + "{\"premise\": \"c\\n"
                            + "d\", \"hypothesis\": \"e\", \"label\": \"9\", \"extra\": [1]}\n"
                            + "{\"premise\": \"f\", \"hypothesis\": \"g\", \"label\": -1}\n\n");
        Path dev =
                write(dir, "dev.json", "{\"label\": 9, \"hypothesis\": \"y\", \"premise\": \"x\"}");
        TaskData data = FileDataset.read(train, dev, PAIR, false, null);
        assertEquals(List.of("-1", "9", "10"), data.task().labels(), "integers sort numerically");
        assertEquals(List.of(2, 1, 0), data.train().stream().map(Example::label).toList());
        assertEquals("c\nd", data.train().get(1).textA());
        assertEquals(1, data.dev().get(0).label());
    }

    @Test
    void labelsThatAreNotAllIntegersSortLexicographically() throws IOException {
        Path train = write(dir, "train.tsv", "s\tl\na\t10\nb\t9\nc\t1.5\nd\tB\ne\ta\n");
        TaskData data = FileDataset.read(train, train, new Columns("s", null, "l"), false, null);
        assertEquals(List.of("1.5", "10", "9", "B", "a"), data.task().labels());
    }

    @Test
    void explicitLabelsKeepTheirOrder() throws IOException {
        Path train = write(dir, "train.csv", "s,l\na,neg\nb,pos\n");
        TaskData data =
                FileDataset.read(
                        train,
                        train,
                        new Columns("s", null, "l"),
                        false,
                        List.of("pos", "neutral", "neg"));
        assertEquals(List.of("pos", "neutral", "neg"), data.task().labels());
        assertEquals(List.of(2, 0), data.train().stream().map(Example::label).toList());
        assertEquals(3, data.task().numLabels());
    }

    @Test
    void regressionReadsNumbers() throws IOException {
        Path train =
                write(
                        dir,
                        "train.jsonl",
                        "{\"s\": \"a\", \"y\": 1.25}\n{\"s\": \"b\", \"y\": \"-3e-1\"}\n");
        Path dev = write(dir, "dev.csv", "s,y\nc,4\n");
        TaskData data = FileDataset.read(train, dev, new Columns("s", null, "y"), true, null);
        assertEquals(List.of(1.25, -0.3), data.train().stream().map(Example::score).toList());
        assertEquals(4.0, data.dev().get(0).score(), 0.0);
        assertEquals(Example.NO_LABEL, data.dev().get(0).label());
        assertEquals(List.of("pearson", "spearmanr"), data.task().metrics());
        assertEquals(1, data.task().numLabels());
    }
}
