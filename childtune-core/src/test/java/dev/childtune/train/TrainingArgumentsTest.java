package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingArgumentsTest {
    @Test
    void anInvalidArgumentNamesTheArgumentsConcerned() {
        TrainingArguments.Invalid e = assertThrows(TrainingArguments.Invalid.class,
                () -> TrainingArguments.builder().numTrainEpochs(0).build());
        assertEquals(List.of("num_train_epochs", "max_steps"), e.arguments());
        assertEquals("must be positive", e.problem());
        assertEquals("invalid training argument: num_train_epochs or max_steps must be positive", e.getMessage());

        e = assertThrows(TrainingArguments.Invalid.class, () -> TrainingArguments.builder().saveSteps(-2).build());
        assertEquals(List.of("save_steps"), e.arguments(), "each argument checked on its own");
        assertEquals("must not be negative, got -2", e.problem());
    }

    @Test
    void aResumeMayChangeOnlyHowOftenARunReportsAndSaves() {
        JsonObject earlier = JsonParser.parseString(TrainingArguments.builder().outputDir(Path.of("runs", "a"))
                .learningRate(2e-5).seed(42).build().toJson().toString()).getAsJsonObject(); // as read from run.json
        earlier.remove("skip_non_finite"); // recorded only by later versions
        TrainingArguments now = TrainingArguments.builder().outputDir(Path.of("/abs/runs/a")).learningRate(5e-5).seed(1)
                .loggingSteps(1).saveSteps(3).perDeviceEvalBatchSize(8).skipNonFinite(true).build();
        List<TrainingArguments.Change> changes = now.changesFrom(earlier);
        assertEquals(List.of("learning_rate", "seed"), changes.stream().map(TrainingArguments.Change::name).toList());
        assertEquals("5.0E-5", changes.get(0).now().getAsString());
        assertEquals("2.0E-5", changes.get(0).before().getAsString());
        assertEquals(List.of(), TrainingArguments.builder().build().changesFrom(TrainingArguments.builder().build().toJson()));
    }
}
