package dev.childtune.experiments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.tuning.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Runs a trial as {@code childtune} commands, each through the {@link TrialLauncher}, in the
 * trial's folder: {@code train} on the task (resuming from the folder's checkpoint after a
 * kill), then per transfer target {@code evaluate} with its label map (domain transfer) or
 * {@code train --freeze-base-model} of a fresh head on the fine-tuned encoder (task transfer).
 * Output goes to {@code trial.log} in the folder.
 */
public final class TrialRunner {
    public static final String LOG_FILE = "trial.log";
    /** Where a trial's transfer runs and evaluations go, inside its folder. */
    public static final String TRANSFER_FOLDER = "transfer";

    private final TrialLauncher launcher;

    public TrialRunner(TrialLauncher launcher) {
        this.launcher = launcher;
    }

    /** One command of a trial and where its results land. */
    record Step(List<String> arguments, Path results, String evaluation) {}

    /** The commands of {@code trial} run in {@code dir}, in order. */
    static List<Step> steps(Trial trial, Path dir) {
        List<Step> steps = new ArrayList<>();
        List<String> train = new ArrayList<>(List.of("train", "--model", trial.model()));
        addOptions(train, trial.task().options());
        train.addAll(List.of("--method", trial.method(), "--seed", Long.toString(trial.seed()), "--output", dir.toString(),
                "--resume"));
        if (trial.trainSamples() != null) {
            train.addAll(List.of("--max-train-samples", Long.toString(trial.trainSamples())));
        }
        addOptions(train, trial.settings());
        steps.add(new Step(train, dir.resolve("results.json"), trial.task().name()));
        String model = dir.resolve("model").toString();
        for (Protocol.Target target : trial.targets()) {
            Path out = dir.resolve(TRANSFER_FOLDER).resolve(target.data().name());
            List<String> args = new ArrayList<>();
            if (trial.protocol().equals(Protocol.TASK_TRANSFER)) {
                args.addAll(List.of("train", "--model", model));
                addOptions(args, target.data().options());
                args.addAll(List.of("--method", Method.VANILLA.cliName(), "--freeze-base-model", "--seed", Long.toString(trial.seed()),
                        "--output", out.toString(), "--resume"));
                addOptions(args, trial.headSettings());
                steps.add(new Step(args, out.resolve("results.json"), trial.transferName(target)));
            } else {
                Path json = out.resolve("evaluation.json");
                args.addAll(List.of("evaluate", "--model", model));
                addOptions(args, target.data().options());
                if (!target.labelMap().isEmpty()) {
                    StringJoiner map = new StringJoiner(",");
                    target.labelMap().forEach((from, to) -> map.add(from + "=" + to));
                    args.addAll(List.of("--label-map", map.toString()));
                }
                for (String shared : List.of("max-length", "eval-batch-size")) {
                    if (trial.settings().containsKey(shared)) {
                        args.addAll(List.of("--" + shared, trial.settings().get(shared).toString()));
                    }
                }
                args.addAll(List.of("--output", json.toString()));
                steps.add(new Step(args, json, trial.transferName(target)));
            }
        }
        return steps;
    }

    /** {@code --key value} per option; a true flag alone, a false one left out, a list comma-joined. */
    private static void addOptions(List<String> args, Map<String, Object> options) {
        options.forEach((key, value) -> {
            if (value instanceof Boolean flag) {
                if (flag) {
                    args.add("--" + key);
                }
            } else if (value instanceof List<?> list) {
                args.add("--" + key);
                args.add(String.join(",", list.stream().map(Object::toString).toList()));
            } else {
                args.add("--" + key);
                args.add(value.toString());
            }
        });
    }

    /**
     * Runs the trial's commands in {@code dir}.
     *
     * @return the evaluations: the training task's dev split first, then each transfer target
     * @throws ChildTuneException when a command fails: its exit code and its error line
     */
    public List<Evaluation> run(Trial trial, Path dir, int threads) throws InterruptedException {
        Path log = dir.resolve(LOG_FILE);
        List<Evaluation> evaluations = new ArrayList<>();
        for (Step step : steps(trial, dir)) {
            int exit;
            try {
                Files.createDirectories(dir);
                exit = launcher.run(step.arguments(), log, threads);
            } catch (IOException e) {
                throw new ChildTuneException("cannot start '" + step.arguments().get(0) + "': " + e.getMessage(), e);
            }
            if (exit != 0) {
                throw new ChildTuneException(step.arguments().get(0) + " " + exitDescription(exit) + ": "
                        + lastError(log) + " (log: " + log + ")");
            }
            evaluations.add(readEvaluation(step));
        }
        return evaluations;
    }

    private static String exitDescription(int exit) {
        return exit > 128 ? "was killed by signal " + (exit - 128) : "exited with code " + exit;
    }

    /** The log's last "childtune: ..." line, else its last non-blank line. */
    static String lastError(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        String last = "(no output)";
        for (String line : lines) {
            if (line.startsWith("childtune: error:") || line.startsWith("childtune: internal error:")) {
                return line;
            }
            if (!line.isBlank() && !line.startsWith("$ childtune ")) {
                last = line.strip();
            }
        }
        return last;
    }

    /**
     * The metrics a step wrote: {@code results.json} of a training run ({@code metrics},
     * {@code main_metric}) or the first split of an {@code evaluate --output} file.
     */
    private static Evaluation readEvaluation(Step step) {
        try {
            JsonObject json = JsonParser.parseString(Files.readString(step.results())).getAsJsonObject();
            JsonObject metrics = json.has("splits")
                    ? json.getAsJsonObject("splits").entrySet().iterator().next().getValue().getAsJsonObject()
                    : json.getAsJsonObject("metrics");
            Map<String, Double> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : metrics.entrySet()) {
                values.put(e.getKey(), e.getValue().getAsDouble());
            }
            return new Evaluation(step.evaluation(), json.get("main_metric").getAsString(), values);
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(step.results() + ": the step succeeded but its results cannot be read: " + e, e);
        }
    }
}
