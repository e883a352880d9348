package dev.childtune.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import dev.childtune.experiments.OptionSchema.Option;
import dev.childtune.experiments.OptionSchema.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep files: what they expand to, their errors (file:line: key path: why), trial hashes. */
class SweepConfigTest {
    /** A few of the train command's options, as the CLI derives them. */
    static final OptionSchema SCHEMA = new OptionSchema(
            Map.of("task", new Option("task", ValueType.TEXT), "data", new Option("data", ValueType.PATH),
                    "train-file", new Option("train-file", ValueType.PATH),
                    "validation-file", new Option("validation-file", ValueType.PATH),
                    "labels", new Option("labels", ValueType.TEXT_LIST)),
            Map.of("learning-rate", new Option("learning-rate", ValueType.NUMBER),
                    "lr", new Option("learning-rate", ValueType.NUMBER),
                    "reserve-p", new Option("reserve-p", ValueType.NUMBER),
                    "epochs", new Option("num-train-epochs", ValueType.NUMBER),
                    "num-train-epochs", new Option("num-train-epochs", ValueType.NUMBER),
                    "max-steps", new Option("max-steps", ValueType.INTEGER),
                    "batch-size", new Option("batch-size", ValueType.INTEGER),
                    "pad-to-max-length", new Option("pad-to-max-length", ValueType.BOOLEAN),
                    "eval-every", new Option("eval-every", ValueType.TEXT)));

    @TempDir
    Path tmp;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(tmp.resolve(name), yaml);
    }

    private SweepConfig read(String yaml) throws IOException {
        return SweepConfig.read(write("sweep.yaml", yaml), SCHEMA);
    }

    private String error(String yaml) throws IOException {
        Path file = write("sweep.yaml", yaml);
        String message = assertThrows(ChildTuneException.class, () -> SweepConfig.read(file, SCHEMA)).getMessage();
        assertEquals(1, message.lines().count(), message);
        return message.replace(file.toString(), "sweep.yaml");
    }

    @Test
    void expandsModelsTasksMethodsGridsAndSeeds() throws IOException {
        SweepConfig config = read("""
                name: demo
                models: [minilm, some/bert]
                tasks:
                  rte: {data: glue/RTE}
                  toy: {train-file: toy/train.csv, validation-file: toy/dev.csv, labels: [neg, pos]}
                methods:
                  vanilla:
                  ChildTuning-D: {learning_rate: [2e-5, 4e-5], reserve-p: [0.1, 0.2, 0.3]}
                seeds: [1, 2]
                training: {epochs: 3, batch-size: 16, pad-to-max-length: true, eval-every: 10}
                """);
        assertEquals("demo", config.name());
        assertEquals(List.of("minilm", "some/bert"), config.models());
        assertEquals(tmp.resolve("glue/RTE").toString(), config.tasks().get(0).options().get("data"));
        assertEquals("rte", config.tasks().get(0).options().get("task"), "a GLUE task by its key");
        assertNull(config.tasks().get(1).options().get("task"), "own files have no GLUE task");
        assertEquals(List.of("neg", "pos"), config.tasks().get(1).options().get("labels"));
        assertEquals(Map.of("learning-rate", List.of(2e-5, 4e-5), "reserve-p", List.of(0.1, 0.2, 0.3)),
                config.methods().get("childtuning-d"));
        assertEquals(Map.of("num-train-epochs", 3.0, "batch-size", 16L, "pad-to-max-length", true, "eval-every", "10"),
                config.training(), "typed as the train command reads them; aliases resolved");
        List<Trial> trials = config.trials();
        assertEquals(2 * 2 * (1 + 6) * 2, trials.size());
        assertEquals(trials.size(), trials.stream().map(Trial::hash).distinct().count(), "every trial its own hash");
        Trial d = trials.stream().filter(t -> t.method().equals("childtuning-d")).findFirst().orElseThrow();
        assertEquals(Map.of("learning-rate", 2e-5, "reserve-p", 0.1), d.grid());
        assertEquals(2e-5, d.settings().get("learning-rate"));
        assertEquals(16L, d.settings().get("batch-size"));
    }

    @Test
    void seedsDefaultToThePapersTen() throws IOException {
        SweepConfig config = read("tasks: {rte: {data: x}}\nmethods: {vanilla: {lr: 2e-5}}\n");
        assertEquals(List.of(42L, 52L, 57L, 63L, 78L, 96L, 127L, 140L, 298L, 375L), config.seeds());
        assertEquals("sweep", config.name(), "named after the file");
        assertEquals("minilm", config.models().get(0));
        assertEquals(10, config.trials().size());
    }

    @Test
    void theHashIgnoresHowTheTrialIsWrittenButNotWhatItIs() throws IOException {
        Trial a = read("""
                tasks: {rte: {data: x}}
                methods: {vanilla: {lr: 2e-5}}
                seeds: [42]
                training: {batch-size: 16, epochs: 3}
                """).trials().get(0);
        Trial b = read("""
                seeds: [42]
                training: {num_train_epochs: 3.0, batch-size: 16}
                methods: {vanilla: {learning-rate: 0.00002}}
                tasks: {rte: {data: ./x}}
                """).trials().get(0);
        Trial c = read("""
                tasks: {rte: {data: x}}
                methods: {vanilla: {lr: 3e-5}}
                seeds: [42]
                training: {batch-size: 16, epochs: 3}
                """).trials().get(0);
        assertEquals(a.hash(), b.hash());
        assertNotEquals(a.hash(), c.hash());
        assertEquals(16, a.hash().length());
        // the canonical form itself is pinned: a change here re-runs every stored trial
        Trial fixed = new Trial("minilm", new TaskSpec("rte", Map.of("task", "rte", "data", "/glue/RTE")), "vanilla",
                Map.of("learning-rate", 2e-5), Map.of("learning-rate", 2e-5), 42, Protocol.STANDARD, null, List.of(),
                Map.of());
        assertEquals("{\"method\":\"vanilla\",\"model\":\"minilm\",\"protocol\":\"standard\",\"seed\":42,"
                + "\"settings\":{\"learning-rate\":2.0E-5},\"task\":{\"name\":\"rte\",\"options\":{\"data\":\"/glue/RTE\","
                + "\"task\":\"rte\"}}}", fixed.config().toString());
        assertEquals("7ec5a8487ea69e3b", fixed.hash());
    }

    @Test
    void errorsNameFileLineAndKeyPath() throws IOException {
        assertEquals("sweep.yaml:3: bogus: unknown key (expected one of: name, models, tasks, methods, seeds, training, protocol)",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\nbogus: 1\n"));
        assertEquals("sweep.yaml:4: methods.childtuning-f.reserve-p: expected a number, got 'abc'",
                error("tasks: {rte: {data: x}}\nmethods:\n  childtuning-f:\n    reserve-p: abc\n"));
        assertEquals("sweep.yaml:4: methods.childtuning-f.reserve-p: the list is empty: give at least one value",
                error("tasks: {rte: {data: x}}\nmethods:\n  childtuning-f:\n    reserve-p: []\n"));
        assertTrue(error("tasks: {rte: {data: x}}\nmethods:\n  mixout: {}\n")
                .startsWith("sweep.yaml:3: methods.mixout: unknown method 'mixout'"));
        assertEquals("sweep.yaml:3: training.seed: 'seed' is set by the sweep for each trial",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\ntraining: {seed: 1}\n"));
        assertEquals("sweep.yaml:3: training.max-steps: expected an integer, got '2.5'",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\ntraining: {max-steps: 2.5}\n"));
        assertEquals("sweep.yaml:3: training.warmup: unknown training option 'warmup' (see childtune train --help)",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\ntraining: {warmup: 1}\n"));
        assertEquals("sweep.yaml:4: training.batch-size: expected one value (grids belong under methods)",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\ntraining:\n  batch-size: [8, 16]\n"));
        assertEquals("sweep.yaml:3: tasks.rte: the key appears twice",
                error("tasks:\n  rte: {data: x}\n  rte: {data: y}\nmethods: {vanilla: }\n"));
        assertEquals("sweep.yaml:3: seeds[1]: seed 42 is listed twice",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\nseeds: [42, 42]\n"));
        assertEquals("sweep.yaml:1: the sweep file has no 'methods'", error("tasks: {rte: {data: x}}\n"));
        assertTrue(error("tasks: {rte: {data: x}\n").startsWith("sweep.yaml:2: not valid YAML: "),
                "a syntax error is one line with its line");
        assertEquals("sweep.yaml:3: protocol: unknown protocol 'cross' (expected one of: standard, low-resource, "
                + "domain-transfer, task-transfer)", error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\nprotocol: cross\n"));
        assertEquals("sweep.yaml:3: protocol: protocol low-resource needs 'train-samples'",
                error("tasks: {rte: {data: x}}\nmethods: {vanilla: }\nprotocol: {type: low-resource}\n"));
        assertEquals("sweep.yaml:4: tasks.rte.dta: unknown data option (expected one of: data, labels, task, train-file, "
                + "validation-file)", error("tasks:\n  rte:\n    data: x\n    dta: y\nmethods: {vanilla: }\n"));
    }

    @Test
    void lowResourceAddsOneTrialPerSubsampleSize() throws IOException {
        List<Trial> trials = read("""
                tasks: {rte: {data: x}}
                methods: {vanilla: }
                seeds: [1]
                protocol: {type: low-resource, train-samples: [500, 1000]}
                """).trials();
        assertEquals(List.of(500L, 1000L), trials.stream().map(Trial::trainSamples).toList());
        assertEquals("minilm · low-resource (500 training examples)", trials.get(0).study());
        List<String> train = TrialRunner.steps(trials.get(0), tmp).get(0).arguments();
        assertEquals("500", train.get(train.indexOf("--max-train-samples") + 1));
    }

    @Test
    void domainTransferEvaluatesTheModelOnEachTargetWithItsLabelMap() throws IOException {
        SweepConfig config = read("""
                tasks: {rte: {data: glue/RTE}, mrpc: {data: glue/MRPC}}
                methods: {childtuning-d: {reserve-p: 0.3}}
                seeds: [7]
                training: {max-steps: 5}
                protocol:
                  type: domain-transfer
                  targets:
                    nli: {source: rte, train-file: nli/train.csv, validation-file: nli/dev.csv,
                          label-map: {entailment: entailment, neutral: not_entailment, contradiction: not_entailment}}
                    rte: {source: mrpc, data: glue/RTE, label-map: {entailment: "1", not_entailment: "0"}}
                """);
        Trial rte = config.trials().get(0);
        assertEquals(1, rte.targets().size());
        assertEquals("rte→nli", rte.transferName(rte.targets().get(0)));
        List<TrialRunner.Step> steps = TrialRunner.steps(rte, tmp.resolve("trial"));
        assertEquals(2, steps.size());
        assertEquals(List.of("train", "--model", "minilm", "--data", tmp.resolve("glue/RTE").toString(), "--task", "rte",
                "--method", "childtuning-d", "--seed", "7", "--output", tmp.resolve("trial").toString(), "--resume",
                "--max-steps", "5", "--reserve-p", "0.3"), steps.get(0).arguments());
        List<String> evaluate = steps.get(1).arguments();
        assertEquals("evaluate", evaluate.get(0));
        assertEquals(tmp.resolve("trial/model").toString(), evaluate.get(evaluate.indexOf("--model") + 1));
        assertEquals("contradiction=not_entailment,entailment=entailment,neutral=not_entailment",
                evaluate.get(evaluate.indexOf("--label-map") + 1));
        assertEquals("rte→nli", steps.get(1).evaluation());
        assertEquals("sweep.yaml:5: protocol.targets: no target for task mrpc (give a target whose source is mrpc, or one "
                + "without a source)", error("""
                tasks: {rte: {data: glue/RTE}, mrpc: {data: glue/MRPC}}
                methods: {vanilla: }
                protocol:
                  type: domain-transfer
                  targets:
                    nli: {source: rte, data: x}
                """));
    }

    @Test
    void taskTransferTrainsAFreshHeadOnTheFrozenEncoderWithItsOwnSettings() throws IOException {
        SweepConfig config = read("""
                tasks: {rte: {data: glue/RTE}}
                methods: {vanilla: {lr: 2e-5}}
                seeds: [7]
                training: {max-steps: 5, batch-size: 8}
                protocol: {type: task-transfer, targets: {mrpc: {data: glue/MRPC}}, head-training: {lr: 1e-3}}
                """);
        List<Trial> trials = config.trials();
        assertEquals(1, trials.size());
        assertEquals("rte→mrpc", trials.get(0).transferName(trials.get(0).targets().get(0)));
        List<String> head = TrialRunner.steps(trials.get(0), tmp).get(1).arguments();
        assertEquals(List.of("train", "--model", tmp.resolve("model").toString(), "--data",
                tmp.resolve("glue/MRPC").toString(), "--task", "mrpc", "--method", "vanilla", "--freeze-base-model",
                "--seed", "7", "--output", tmp.resolve("transfer/mrpc").toString(), "--resume", "--batch-size", "8",
                "--learning-rate", "0.001", "--max-steps", "5"), head);
    }
}
