package dev.childtune.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.Checkpoints;
import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.checkpoint.TensorData;
import dev.childtune.io.AtomicFiles;
import dev.childtune.text.TokenizerFiles;
import dev.childtune.model.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A sequence classifier with its weights on the engine, loaded from a Hugging Face folder the way
 * {@code from_pretrained} does it: keys matched by name (a base-model checkpoint gets the model's
 * prefix added), shapes checked, weights the checkpoint lacks initialised fresh and reported.
 */
public final class PretrainedModel implements AutoCloseable {
    /** Tokenizer files copied along when a model is saved. */
    private static final List<String> TOKENIZER_FILES = List.of(
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json",
            "merges.txt");

    private final NDManager manager;
    private final SequenceClassifier classifier;
    private final Path folder;
    private final LoadReport report;

    private PretrainedModel(NDManager manager, SequenceClassifier classifier, Path folder, LoadReport report) {
        this.manager = manager;
        this.classifier = classifier;
        this.folder = folder;
        this.report = report;
    }

    /**
     * What loading found: the file read, the weights initialised fresh (in the checkpoint's
     * absence) and the checkpoint tensors the model does not use.
     */
    public record LoadReport(String modelClass, Path source, List<String> newlyInitialized, List<String> unused) {
        /** One line, or empty when the checkpoint matched the model exactly. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            if (!newlyInitialized.isEmpty()) {
                parts.add("newly initialized (not in the checkpoint): " + newlyInitialized);
            }
            if (!unused.isEmpty()) {
                parts.add("unused checkpoint weights: " + unused);
            }
            return parts.isEmpty() ? "" : modelClass + " from " + source + ": " + String.join("; ", parts);
        }
    }

    /** Loads with seed 42 for any weight that has to be initialised fresh. */
    public static PretrainedModel load(Path folder) {
        return load(folder, 42);
    }

    /** @param seed seeds the initialisation of weights the checkpoint lacks */
    public static PretrainedModel load(Path folder, long seed) {
        ModelConfig config = ModelConfig.read(folder);
        return load(folder, config, seed);
    }

    /** Loads the weights in {@code folder} into a model built from {@code config}. */
    public static PretrainedModel load(Path folder, ModelConfig config, long seed) {
        return load(folder, config, seed, false);
    }

    /**
     * @param freshHead take only the base model's weights from the checkpoint and initialise the
     *     head fresh, even where the checkpoint has a head of the right shape (a fine-tuned model
     *     probed on another task)
     */
    public static PretrainedModel load(Path folder, ModelConfig config, long seed, boolean freshHead) {
        return load(folder, config, seed, freshHead, Engine.getInstance().defaultDevice());
    }

    /** @param device where the weights (and so every array of training and evaluation) live */
    public static PretrainedModel load(Path folder, ModelConfig config, long seed, boolean freshHead, Device device) {
        SequenceClassifier classifier = Architectures.sequenceClassifier(config);
        Checkpoints.LoadedWeights weights = Checkpoints.load(folder);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            LoadReport report = assign(classifier, weights, manager, new Random(seed), freshHead);
            return new PretrainedModel(manager, classifier, folder, report);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model built from {@code config} alone, every weight drawn fresh with Hugging Face's
     * {@code _init_weights} (as {@code from_config}), seeded; its {@link #folder()} is null. Used to
     * measure geometries no checkpoint is at hand for (the benchmark's BERT-base).
     */
    public static PretrainedModel initialized(ModelConfig config, long seed) {
        return initialized(config, seed, Engine.getInstance().defaultDevice());
    }

    /** @param device where the weights live */
    public static PretrainedModel initialized(ModelConfig config, long seed, Device device) {
        SequenceClassifier classifier = Architectures.sequenceClassifier(config);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            LoadReport report = assign(classifier, new Checkpoints.LoadedWeights(Map.of(), null), manager,
                    new Random(seed), false);
            return new PretrainedModel(manager, classifier, null, report);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LoadReport assign(SequenceClassifier classifier, Checkpoints.LoadedWeights weights,
            NDManager manager, Random random, boolean freshHead) {
        Map<String, TensorData> tensors = new LinkedHashMap<>(weights.tensors());
        String stripped = baseCheckpointPrefix(tensors.keySet(), classifier.baseModelPrefix());
        if (freshHead && stripped.isEmpty()) {
            // a checkpoint with the base model's prefix: whatever lies outside it is the old head
            tensors.keySet().removeIf(k -> !k.startsWith(classifier.baseModelPrefix() + "."));
        }
        List<String> fresh = new ArrayList<>();
        for (Map.Entry<String, Parameter> entry : classifier.namedParameters().entrySet()) {
            String name = entry.getKey();
            Parameter p = entry.getValue();
            TensorData t = name.startsWith(stripped) ? tensors.remove(name.substring(stripped.length())) : null;
            if (t == null) {
                p.setArray(initialValue(manager, p, classifier.config(), random));
                fresh.add(name);
                continue;
            }
            if (!Arrays.equals(t.shape(), p.shape().getShape())) {
                throw new ChildTuneException(weights.source() + ": tensor '" + name + "' has shape "
                        + Arrays.toString(t.shape()) + " but the model built from config.json expects " + p.shape()
                        + "; the weights and config.json disagree");
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new ChildTuneException(weights.source() + ": tensor '" + name + "' has dtype " + t.dtype()
                        + ", expected a floating-point type");
            }
            p.setArray(Tensors.toFloatArray(manager, t));
        }
        // Older checkpoints carry the position_ids buffer; like Hugging Face, ignore it silently.
        tensors.keySet().removeIf(k -> k.endsWith("embeddings.position_ids"));
        return new LoadReport(classifier.getClass().getSimpleName(), weights.source(), List.copyOf(fresh),
                List.copyOf(tensors.keySet()));
    }

    /**
     * The prefix to strip from model names to find them in the checkpoint: {@code "bert."} when the
     * checkpoint holds a bare base model ({@code BertModel}, keys without the prefix), else nothing.
     */
    private static String baseCheckpointPrefix(Set<String> keys, String prefix) {
        boolean hasPrefix = keys.stream().anyMatch(k -> k.startsWith(prefix + "."));
        return hasPrefix ? "" : prefix + ".";
    }

    /**
     * Hugging Face's {@code _init_weights} for one parameter (normal(0, initializer_range) for
     * Linear and Embedding weights, zeros for biases, ones for LayerNorm weights), drawn from the
     * given generator.
     */
    public static NDArray initialValue(NDManager manager, Parameter p, ModelConfig config, Random random) {
        int n = Math.toIntExact(p.shape().size());
        float[] values = new float[n];
        switch (p.init()) {
            case ONES -> Arrays.fill(values, 1f);
            case ZEROS -> { }
            case NORMAL, NORMAL_PADDING_ZERO -> {
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (random.nextGaussian() * config.initializerRange());
                }
                if (p.init() == Parameter.Init.NORMAL_PADDING_ZERO) {
                    int width = Math.toIntExact(p.shape().get(1));
                    Arrays.fill(values, config.padTokenId() * width, (config.padTokenId() + 1) * width, 0f);
                }
            }
        }
        return manager.create(values, p.shape());
    }

    public SequenceClassifier classifier() {
        return classifier;
    }

    public ModelConfig config() {
        return classifier.config();
    }

    public Path folder() {
        return folder;
    }

    public LoadReport loadReport() {
        return report;
    }

    /** The manager that owns the weights; per-batch work should happen in a sub-manager or scope. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Writes {@code config.json}, {@code model.safetensors} and the tokenizer files of the source
     * folder into {@code target}, each file atomically, in the layout Python's
     * {@code AutoModelForSequenceClassification.from_pretrained} loads unchanged.
     */
    public void save(Path target) {
        try {
            Files.createDirectories(target);
            JsonObject json = config().json().deepCopy();
            JsonArray architectures = new JsonArray();
            architectures.add(classifier.getClass().getSimpleName());
            json.add("architectures", architectures);
            AtomicFiles.writeString(target.resolve(ModelConfig.FILE_NAME),
                    new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            classifier.namedParameters().forEach((name, p) -> tensors.put(name, Tensors.fromArray(p.array())));
            SafeTensors.write(target.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            if (folder != null && !target.toAbsolutePath().normalize().equals(folder.toAbsolutePath().normalize())) {
                for (String file : TOKENIZER_FILES) {
                    Path from = folder.resolve(file);
                    if (Files.isRegularFile(from)) {
                        AtomicFiles.copy(from, target.resolve(file));
                    }
                }
            }
            if (TOKENIZER_FILES.stream().anyMatch(f -> Files.isRegularFile(target.resolve(f)))) {
                TokenizerFiles.ensureTokenizerJson(target); // a vocab.txt-only tokenizer gets its tokenizer.json
            }
        } catch (IOException e) {
            throw new ChildTuneException(target + ": cannot save the model: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
