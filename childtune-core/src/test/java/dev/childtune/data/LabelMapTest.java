package dev.childtune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Domain transfer's label table: NLI labels carried into a binary entailment model. */
class LabelMapTest {
    private static final List<String> RTE = List.of("entailment", "not_entailment");
    private static final LabelMap NLI_TO_RTE = new LabelMap(Map.of("entailment", "entailment",
            "neutral", "not_entailment", "contradiction", "not_entailment"));

    private static TaskData nli() {
        Task task = new Task("nli", List.of("contradiction", "entailment", "neutral"), false, List.of("accuracy"), "accuracy");
        List<Example> dev = List.of(new Example("a", "b", 0, Double.NaN, Path.of("dev.tsv"), 2),
                new Example("c", "d", 1, Double.NaN, Path.of("dev.tsv"), 3),
                new Example("e", "f", 2, Double.NaN, Path.of("dev.tsv"), 4));
        return new TaskData(task, dev, Map.of("dev", dev));
    }

    @Test
    void relabelsEveryExampleIntoTheModelsLabels() {
        TaskData mapped = NLI_TO_RTE.apply(nli(), RTE);
        assertEquals(RTE, mapped.task().labels());
        assertEquals(List.of(1, 0, 1), mapped.dev().stream().map(Example::label).toList());
        assertEquals("accuracy", mapped.task().mainMetric());
        assertEquals(4, mapped.dev().get(2).line(), "examples keep where they were read");
    }

    @Test
    void aMissingEntryOrAnUnknownModelLabelIsAnError() {
        String missing = assertThrows(ChildTuneException.class,
                () -> new LabelMap(Map.of("entailment", "entailment")).apply(nli(), RTE)).getMessage();
        assertEquals("label map: no entry for nli's label 'contradiction' (data labels: \"contradiction\", "
                + "\"entailment\", \"neutral\")", missing);
        String unknown = assertThrows(ChildTuneException.class,
                () -> new LabelMap(Map.of("entailment", "yes")).apply(nli(), RTE)).getMessage();
        assertTrue(unknown.startsWith("label map: 'entailment=yes' maps to a label the model lacks"), unknown);
    }
}
