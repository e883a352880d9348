package dev.childtune.data;

import static dev.childtune.data.DataTestSupport.assertError;
import static dev.childtune.data.DataTestSupport.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Task names, labels, metrics and layouts of the GLUE tasks, on small files of their layouts. */
class GlueTasksTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "CoLA, cola", "cola, cola", "SST-2, sst2", "sst2, sst2", "MRPC, mrpc", "STS-B, stsb",
                "stsb, stsb",
        "sts_b, stsb", "QQP, qqp", "MNLI, mnli", "mnli-mm, mnli-mm", "MNLI_MM, mnli-mm",
                "QNLI, qnli", "RTE, rte",
        "wnli, wnli"
    })
    void namesAreMatchedIgnoringCaseAndHyphens(String given, String expected) {
        assertEquals(expected, GlueTasks.byName(given).task().name());
    }

    @Test
    void unknownTaskListsTheKnownOnes() {
        assertError(
                () -> GlueTasks.byName("squad"),
                "unknown task \"squad\"",
                "cola, sst2, mrpc, stsb, qqp, mnli, mnli-mm, qnli, rte, wnli");
    }

    @Test
    void labelOrdersAndMetricsFollowHuggingFace() {
        assertEquals(List.of("0", "1"), labels("cola"));
        assertEquals(List.of("0", "1"), labels("sst2"));
        assertEquals(List.of("0", "1"), labels("mrpc"));
        assertEquals(List.of("0", "1"), labels("qqp"));
        assertEquals(List.of("0", "1"), labels("wnli"));
        assertEquals(List.of("contradiction", "entailment", "neutral"), labels("mnli"));
        assertEquals(List.of("entailment", "not_entailment"), labels("qnli"));
        assertEquals(List.of("entailment", "not_entailment"), labels("rte"));
        Task stsb = GlueTasks.byName("stsb").task();
        assertTrue(stsb.regression());
        assertEquals(1, stsb.numLabels());
        assertEquals(List.of(), stsb.labels());

        assertMetrics("cola", "matthews_correlation", "matthews_correlation");
        assertMetrics("sst2", "accuracy", "accuracy");
        assertMetrics("mrpc", "f1", "f1", "accuracy");
        assertMetrics("stsb", "pearson", "pearson", "spearmanr");
        assertMetrics("qqp", "accuracy", "accuracy", "f1");
        assertMetrics("mnli", "accuracy", "accuracy");
        assertMetrics("mnli-mm", "accuracy", "accuracy");
        assertMetrics("qnli", "accuracy", "accuracy");
        assertMetrics("rte", "accuracy", "accuracy");
        assertMetrics("wnli", "accuracy", "accuracy");
        for (GlueTask glue : GlueTasks.all()) {
            assertEquals(
                    glue.task().regression(),
                    glue.task().name().equals("stsb"),
                    glue.task().name());
        }
    }

    @Test
    void mnliHasMatchedAndMismatchedDevSplitsAndColumnsFoundByName() throws IOException {
        String trainHeader =
                "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                    + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1"
                    + "\tgold_label\n";
        String devHeader =
                "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
                    + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2"
                    + "\tlabel3\tlabel4\tlabel5\tgold_label\n";
        Path mnli = Files.createDirectories(dir.resolve("MNLI"));
        write(
                mnli,
                "train.tsv",
                trainHeader
                        + "0\t1\t1n\tgov\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tHe said \"yes.\tHe"
                        + " agreed.\tneutral\tentailment\n");
        String devRow =
                "\t1\t1n\tgov\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tPremise\tHypothesis"
                        + "\tneutral\tneutral\tcontradiction\tneutral\tneutral\t";
        write(mnli, "dev_matched.tsv", devHeader + "0" + devRow + "contradiction\n");
        write(
                mnli,
                "dev_mismatched.tsv",
                devHeader + "0" + devRow + "neutral\n1" + devRow + "neutral\n");

        TaskData data = GlueTasks.byName("mnli").read(mnli);
        assertEquals(
                List.of("dev_matched", "dev_mismatched"), List.copyOf(data.devSplits().keySet()));
        Example train = data.train().get(0);
        assertEquals("He said \"yes.", train.textA(), "quotes are ordinary characters");
        assertEquals("He agreed.", train.textB());
        assertEquals(1, train.label(), "gold_label, not label1");
        assertEquals(0, data.dev().get(0).label());
        assertEquals(2, data.devSplits().get("dev_mismatched").size());
        assertEquals(2, data.devSplits().get("dev_mismatched").get(1).label());

        TaskData mismatched = GlueTasks.byName("mnli-mm").read(mnli);
        assertEquals(List.of("dev_mismatched"), List.copyOf(mismatched.devSplits().keySet()));
        assertEquals(2, mismatched.dev().size());
    }

    @Test
    void singleSentenceAndQuestionTasksUseTheirHeaders() throws IOException {
        Path sst2 = Files.createDirectories(dir.resolve("SST-2"));
        write(sst2, "train.tsv", "sentence\tlabel\nit 's a \" charming \" journey \t1\n");
        write(sst2, "dev.tsv", "sentence\tlabel\nflat \t0\n");
        TaskData sst = GlueTasks.byName("sst-2").read(sst2);
        assertEquals("it 's a \" charming \" journey ", sst.train().get(0).textA());
        assertNull(sst.train().get(0).textB());
        assertEquals(1, sst.train().get(0).label());

        Path qqp = Files.createDirectories(dir.resolve("QQP"));
        String header = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n";
        write(qqp, "train.tsv", header + "1\t3\t4\t\"Why?\" he asked\tWhy not?\t0\n");
        write(qqp, "dev.tsv", header + "2\t5\t6\tA?\tB?\t1\n");
        Example question = GlueTasks.byName("qqp").read(qqp).train().get(0);
        assertEquals("\"Why?\" he asked", question.textA());
        assertEquals("Why not?", question.textB());

        Path qnli = Files.createDirectories(dir.resolve("QNLI"));
        write(qnli, "train.tsv", "index\tquestion\tsentence\tlabel\n0\tQ?\tS.\tnot_entailment\n");
        write(qnli, "dev.tsv", "index\tquestion\tsentence\tlabel\n0\tQ?\tS.\tentailment\n");
        TaskData nli = GlueTasks.byName("qnli").read(qnli);
        assertEquals(
                List.of("Q?", "S.", 1),
                List.of(
                        nli.train().get(0).textA(),
                        nli.train().get(0).textB(),
                        nli.train().get(0).label()));
    }

    @Test
    void readNamesTheMissingFiles() throws IOException {
        write(dir, "train.tsv", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n");
        assertError(
                () -> GlueTasks.byName("rte").read(dir),
                dir + ": \"dev.tsv\" not found",
                "\"train.tsv\", \"dev.tsv\"",
                "download the GLUE data");
    }

    @Test
    void dataDirComesFromTheOptionThenGlueDirThenTheBundledCopy() throws IOException {
        GlueTask rte = GlueTasks.byName("rte");
        Path rteDir = Files.createDirectories(dir.resolve("RTE"));
        Path option = Files.createDirectories(dir.resolve("mine"));
        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of("GLUE_DIR", dir.toString());
        assertEquals(option, rte.dataDir(option, env, cache));
        assertEquals(rteDir, rte.dataDir(null, env, cache));
        assertEquals(cache.resolve("glue").resolve("RTE"), rte.dataDir(null, Map.of(), cache));
        assertFalse(Files.exists(dir.resolve("cache").resolve("glue").resolve("MRPC")), "only what was asked for is copied");

        assertError(
                () -> rte.dataDir(dir.resolve("nope"), env, cache),
                "--data " + dir.resolve("nope") + ": no such folder",
                "\"train.tsv\", \"dev.tsv\"");
        assertError(
                () -> GlueTasks.byName("mrpc").dataDir(null, env, cache),
                "$GLUE_DIR/MRPC = " + dir.resolve("MRPC"),
                "no such folder");
        String message =
                assertError(
                        () -> GlueTasks.byName("sst2").dataDir(null, Map.of("CHILDTUNE_OFFLINE", "1"), cache),
                        "task sst2: no copy in " + cache.resolve("glue").resolve("SST-2"),
                        "downloads are off",
                        "--data DIR");
        assertFalse(message.contains("null"), message);
    }

    private static List<String> labels(String task) {
        return GlueTasks.byName(task).task().labels();
    }

    private static void assertMetrics(String task, String main, String... metrics) {
        Task t = GlueTasks.byName(task).task();
        assertEquals(List.of(metrics), t.metrics(), task);
        assertEquals(main, t.mainMetric(), task);
    }
}
