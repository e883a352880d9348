package dev.childtune.experiments;

import dev.childtune.ChildTuneException;
import dev.childtune.tuning.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A sweep file: the models, tasks, methods with their grids, seeds, shared training settings and
 * protocol of an experiment; {@link #trials()} expands it into one {@link Trial} per combination.
 *
 * <pre>
 * name: small                     # the runs go to runs/small/ (default: the file's name)
 * models: [minilm]
 * tasks:
 *   rte: {}                       # a GLUE task as `train --task rte` finds it
 *   mine: {train-file: data/train.csv, validation-file: data/dev.csv}   # paths are relative to this file
 * methods:
 *   vanilla: {learning-rate: [2e-5, 5e-5]}      # a list is a grid axis
 *   childtuning-d: {learning-rate: 5e-5, reserve-p: [0.1, 0.3]}
 * seeds: [42, 52, 57]             # default: the paper's ten
 * training: {epochs: 3, batch-size: 16, warmup-ratio: 0.1}
 * protocol: standard              # or {type: low-resource, train-samples: [500, 1000]}, domain-transfer, task-transfer
 * </pre>
 *
 * @param methods method name → option → the values of its grid axis
 */
public record SweepConfig(String name, List<String> models, List<TaskSpec> tasks,
        Map<String, Map<String, List<Object>>> methods, List<Long> seeds, Map<String, Object> training,
        Protocol protocol) {
    /** The ten seeds of the paper's runs. */
    public static final List<Long> PAPER_SEEDS = List.of(42L, 52L, 57L, 63L, 78L, 96L, 127L, 140L, 298L, 375L);

    private static final List<String> KEYS = List.of("name", "models", "tasks", "methods", "seeds", "training", "protocol");

    /**
     * Reads a sweep file.
     *
     * @throws ChildTuneException naming the file, line and key path of the first problem
     */
    public static SweepConfig read(Path file, OptionSchema schema) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ChildTuneException(file + ": cannot read the sweep file: " + e.getMessage(), e);
        }
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ChildTuneException(file + ":" + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new ChildTuneException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root.isEmpty()) {
            throw new ChildTuneException(file + ": the sweep file is empty");
        }
        return new Parser(file, schema).parse(new ConfigNode(root.get(), file, ""));
    }

    /**
     * Every trial, in a stable order: model, task, protocol variant, method, grid point, seed.
     */
    public List<Trial> trials() {
        List<Trial> trials = new ArrayList<>();
        List<Long> sizes = protocol instanceof Protocol.LowResource lr ? lr.trainSamples() : Collections.singletonList(null);
        for (String model : models) {
            for (TaskSpec task : tasks) {
                List<Protocol.Target> targets = targets(task);
                for (Long size : sizes) {
                    for (var method : methods.entrySet()) {
                        for (Map<String, Object> point : gridPoints(method.getValue())) {
                            Map<String, Object> settings = new TreeMap<>(training);
                            settings.putAll(point);
                            for (long seed : seeds) {
                                trials.add(new Trial(model, task, method.getKey(), settings, point, seed, protocol.type(),
                                        size, targets, headSettings()));
                            }
                        }
                    }
                }
            }
        }
        return trials;
    }

    private List<Protocol.Target> targets(TaskSpec task) {
        return protocol.targets().stream().filter(t -> t.appliesTo(task.name())).toList();
    }

    private Map<String, Object> headSettings() {
        if (!(protocol instanceof Protocol.TaskTransfer t)) {
            return Map.of();
        }
        Map<String, Object> settings = new TreeMap<>(training);
        settings.putAll(t.headTraining());
        return settings;
    }

    /** The cartesian product of the grid's axes, each point an option → value map. */
    static List<Map<String, Object>> gridPoints(Map<String, List<Object>> grid) {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new TreeMap<>());
        for (var axis : grid.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> point : points) {
                for (Object value : axis.getValue()) {
                    Map<String, Object> extended = new TreeMap<>(point);
                    extended.put(axis.getKey(), value);
                    next.add(extended);
                }
            }
            points = next;
        }
        return points;
    }

    /** The reading of one file: every error names the file, the line and the key path. */
    private record Parser(Path file, OptionSchema schema) {
        SweepConfig parse(ConfigNode root) {
            Map<String, ConfigNode> top = root.map(KEYS);
            for (String required : List.of("tasks", "methods")) {
                if (!top.containsKey(required)) {
                    throw root.error("the sweep file has no '" + required + "'");
                }
            }
            String name = top.containsKey("name") ? top.get("name").text() : stem(file);
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw top.get("name").error("'" + name + "' is not a usable folder name (letters, digits, . _ -)");
            }
            List<String> models = new ArrayList<>();
            if (top.containsKey("models")) {
                top.get("models").listOrScalar().forEach(m -> models.add(m.text()));
            } else {
                models.add("minilm");
            }
            List<TaskSpec> tasks = new ArrayList<>();
            Map<String, ConfigNode> taskNodes = top.get("tasks").map();
            if (taskNodes.isEmpty()) {
                throw top.get("tasks").error("no tasks");
            }
            taskNodes.forEach((taskName, node) -> tasks.add(task(taskName, node, List.of())));
            Map<String, Map<String, List<Object>>> methods = new LinkedHashMap<>();
            Map<String, ConfigNode> methodNodes = top.get("methods").map();
            if (methodNodes.isEmpty()) {
                throw top.get("methods").error("no methods");
            }
            methodNodes.forEach((methodName, node) -> {
                String canonical;
                try {
                    canonical = Method.fromName(methodName).cliName();
                } catch (ChildTuneException e) {
                    throw node.error(e.getMessage());
                }
                if (methods.containsKey(canonical)) {
                    throw node.error("method " + canonical + " is listed twice");
                }
                methods.put(canonical, grid(node));
            });
            List<Long> seeds = new ArrayList<>();
            if (top.containsKey("seeds")) {
                for (ConfigNode seed : top.get("seeds").listOrScalar()) {
                    long value = seed.integer();
                    if (seeds.contains(value)) {
                        throw seed.error("seed " + value + " is listed twice");
                    }
                    seeds.add(value);
                }
            } else {
                seeds.addAll(PAPER_SEEDS);
            }
            Map<String, Object> training = top.containsKey("training") ? settings(top.get("training")) : Map.of();
            Protocol protocol = top.containsKey("protocol") ? protocol(top.get("protocol"), tasks) : new Protocol.Standard();
            return new SweepConfig(name, List.copyOf(models), List.copyOf(tasks), methods, List.copyOf(seeds), training,
                    protocol);
        }

        /** A data set: the data options, {@code task} defaulting to the name for GLUE folders. */
        TaskSpec task(String name, ConfigNode node, List<String> extraKeys) {
            Map<String, Object> options = new TreeMap<>();
            for (var entry : node.map().entrySet()) {
                if (extraKeys.contains(entry.getKey())) {
                    continue;
                }
                OptionSchema.Option option = schema.data().get(OptionSchema.normalize(entry.getKey()));
                if (option == null) {
                    throw entry.getValue().error("unknown data option (expected one of: "
                            + String.join(", ", new TreeMap<>(schema.data()).keySet())
                            + (extraKeys.isEmpty() ? "" : ", " + String.join(", ", extraKeys)) + ")");
                }
                if (options.put(option.name(), OptionSchema.value(option, entry.getValue(), baseDir())) != null) {
                    throw entry.getValue().error(option.name() + " is given twice (under two names)");
                }
            }
            if (!options.containsKey("task") && !options.containsKey("train-file")) {
                options.put("task", name);
            }
            return new TaskSpec(name, options);
        }

        /** A method's grid: each option a value or a non-empty list of values. */
        Map<String, List<Object>> grid(ConfigNode node) {
            Map<String, List<Object>> grid = new TreeMap<>();
            if (node.isNull()) {
                return grid;
            }
            for (var entry : node.map().entrySet()) {
                OptionSchema.Option option = trainingOption(entry.getKey(), entry.getValue());
                List<Object> values = new ArrayList<>();
                for (ConfigNode item : entry.getValue().listOrScalar()) {
                    Object value = OptionSchema.value(option, item, baseDir());
                    if (values.contains(value)) {
                        throw item.error("value " + value + " is listed twice");
                    }
                    values.add(value);
                }
                if (grid.put(option.name(), values) != null) {
                    throw entry.getValue().error(option.name() + " is given twice (under two names)");
                }
            }
            return grid;
        }

        /** Training settings: each option one value. */
        Map<String, Object> settings(ConfigNode node) {
            Map<String, Object> settings = new TreeMap<>();
            for (var entry : node.map().entrySet()) {
                OptionSchema.Option option = trainingOption(entry.getKey(), entry.getValue());
                if (entry.getValue().isList()) {
                    throw entry.getValue().error("expected one value (grids belong under methods)");
                }
                if (settings.put(option.name(), OptionSchema.value(option, entry.getValue(), baseDir())) != null) {
                    throw entry.getValue().error(option.name() + " is given twice (under two names)");
                }
            }
            return settings;
        }

        OptionSchema.Option trainingOption(String key, ConfigNode value) {
            String normalized = OptionSchema.normalize(key);
            if (OptionSchema.CONTROLLED.contains(normalized)) {
                throw value.error("'" + key + "' is set by the sweep for each trial"
                        + (normalized.equals("max-train-samples") ? " (use protocol: {type: low-resource, train-samples: N})" : ""));
            }
            OptionSchema.Option option = schema.training().get(normalized);
            if (option == null) {
                throw value.error("unknown training option '" + key + "' (see childtune train --help)");
            }
            return option;
        }

        Protocol protocol(ConfigNode node, List<TaskSpec> tasks) {
            if (!node.isMap()) {
                String type = node.text();
                return switch (type) {
                    case Protocol.STANDARD -> new Protocol.Standard();
                    case Protocol.LOW_RESOURCE, Protocol.DOMAIN_TRANSFER, Protocol.TASK_TRANSFER ->
                            throw node.error("protocol " + type + " needs settings: {type: " + type + ", ...}");
                    default -> throw node.error("unknown protocol '" + type + "' (expected one of: "
                            + String.join(", ", Protocol.TYPES) + ")");
                };
            }
            Map<String, ConfigNode> entries = node.map(List.of("type", "train-samples", "targets", "head-training"));
            if (!entries.containsKey("type")) {
                throw node.error("the protocol has no 'type' (one of: " + String.join(", ", Protocol.TYPES) + ")");
            }
            ConfigNode typeNode = entries.get("type");
            String type = typeNode.text();
            List<String> allowed = switch (type) {
                case Protocol.STANDARD -> List.of("type");
                case Protocol.LOW_RESOURCE -> List.of("type", "train-samples");
                case Protocol.DOMAIN_TRANSFER -> List.of("type", "targets");
                case Protocol.TASK_TRANSFER -> List.of("type", "targets", "head-training");
                default -> throw typeNode.error("unknown protocol '" + type + "' (expected one of: "
                        + String.join(", ", Protocol.TYPES) + ")");
            };
            entries.forEach((key, value) -> {
                if (!allowed.contains(key)) {
                    throw value.error("not a setting of protocol " + type + " (expected: " + String.join(", ", allowed) + ")");
                }
            });
            for (String key : allowed) {
                if (!entries.containsKey(key) && !key.equals("head-training")) {
                    throw node.error("protocol " + type + " needs '" + key + "'");
                }
            }
            return switch (type) {
                case Protocol.LOW_RESOURCE -> {
                    List<Long> sizes = new ArrayList<>();
                    for (ConfigNode size : entries.get("train-samples").listOrScalar()) {
                        long n = size.integer();
                        if (n < 1) {
                            throw size.error("a training subsample needs at least 1 example, got " + n);
                        }
                        sizes.add(n);
                    }
                    yield new Protocol.LowResource(List.copyOf(sizes));
                }
                case Protocol.DOMAIN_TRANSFER -> new Protocol.DomainTransfer(targets(entries.get("targets"), tasks, true));
                case Protocol.TASK_TRANSFER -> new Protocol.TaskTransfer(targets(entries.get("targets"), tasks, false),
                        entries.containsKey("head-training") ? settings(entries.get("head-training")) : Map.of());
                default -> new Protocol.Standard();
            };
        }

        List<Protocol.Target> targets(ConfigNode node, List<TaskSpec> tasks, boolean labelMaps) {
            List<String> taskNames = tasks.stream().map(TaskSpec::name).toList();
            List<String> extra = labelMaps ? List.of("source", "label-map") : List.of("source");
            List<Protocol.Target> targets = new ArrayList<>();
            Map<String, ConfigNode> entries = node.map();
            if (entries.isEmpty()) {
                throw node.error("no targets");
            }
            entries.forEach((name, entry) -> {
                Map<String, ConfigNode> fields = entry.map();
                String source = null;
                if (fields.containsKey("source")) {
                    source = fields.get("source").text();
                    if (!taskNames.contains(source)) {
                        throw fields.get("source").error("'" + source + "' is not one of the tasks ("
                                + String.join(", ", taskNames) + ")");
                    }
                }
                Map<String, String> labelMap = new TreeMap<>();
                if (fields.containsKey("label-map")) {
                    fields.get("label-map").map().forEach((from, to) -> labelMap.put(from, to.text()));
                }
                targets.add(new Protocol.Target(task(name, entry, extra), source, labelMap));
            });
            for (TaskSpec task : tasks) {
                if (targets.stream().noneMatch(t -> t.appliesTo(task.name()))) {
                    throw node.error("no target for task " + task.name() + " (give a target whose source is "
                            + task.name() + ", or one without a source)");
                }
            }
            return targets;
        }

        Path baseDir() {
            Path parent = file.toAbsolutePath().getParent();
            return parent != null ? parent : Path.of("").toAbsolutePath();
        }

        static String stem(Path file) {
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
    }
}
