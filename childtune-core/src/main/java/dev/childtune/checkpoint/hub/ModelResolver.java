package dev.childtune.checkpoint.hub;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.onnx.EmbeddedModels;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a model argument into a Hugging Face model folder (config.json, tokenizer files, weights).
 * In order:
 *
 * <ol>
 *   <li>{@value #DEFAULT_MODEL} (also for a null or blank argument): all-MiniLM-L6-v2, imported
 *       from the embedded copy into the ChildTune cache ({@code $CHILDTUNE_HOME}, default {@code
 *       ~/.cache/childtune});
 *   <li>an existing folder: used as it is (it must have config.json);
 *   <li>a Hugging Face model id {@code org/name} or {@code name}, optionally {@code @revision}
 *       (branch, tag or commit hash; default main): taken from the Hugging Face cache ({@code
 *       $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub},
 *       else {@code ~/.cache/huggingface/hub}) when it holds config.json and the weights, else
 *       downloaded into that cache from {@code $HF_ENDPOINT} (default https://huggingface.co)
 *       unless {@code HF_HUB_OFFLINE} is set. A cached revision is used without asking the Hub
 *       whether the branch moved. {@code $HF_TOKEN}, else the token file that {@code hf auth login}
 *       writes ({@code $HF_TOKEN_PATH}, else {@code $HF_HOME/token}), authorizes private and gated
 *       models.
 * </ol>
 *
 * <p>Resolution never writes into a user's folder or a cached snapshot beyond the downloaded files:
 * in particular a folder with only vocab.txt or vocab.json + merges.txt gets no generated
 * tokenizer.json; {@link dev.childtune.text.TextTokenizer} builds one in memory instead.
 */
public final class ModelResolver {
    /** The model argument of the embedded default model. */
    public static final String DEFAULT_MODEL = "minilm";

    private static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE_VALUES = Set.of("1", "true", "yes", "on");

    private final Map<String, String> environment;
    private final Path userHome;
    private final DownloadListener listener;

    /**
     * @param environment the environment variables to read (CHILDTUNE_HOME, HF_HUB_CACHE, HF_HOME,
     *     XDG_CACHE_HOME, HF_ENDPOINT, HF_TOKEN, HF_TOKEN_PATH, HF_HUB_OFFLINE)
     * @param userHome the home folder, for the default cache locations and "~" in folder names
     * @param listener told about each file downloaded from the Hub
     */
    public ModelResolver(
            Map<String, String> environment, Path userHome, DownloadListener listener) {
        this.environment = Map.copyOf(environment);
        this.userHome = userHome;
        this.listener = listener;
    }

    /** A resolver reading this process's environment and home folder, downloading silently. */
    public static ModelResolver fromSystem() {
        return new ModelResolver(
                System.getenv(), Path.of(System.getProperty("user.home")), DownloadListener.NONE);
    }

    /**
     * Resolves a model argument to a model folder, as the class description explains.
     *
     * @throws ChildTuneException when the argument is neither an existing folder nor a model id,
     *     when a folder lacks config.json, and when a model is not cached and cannot be downloaded
     */
    public ResolvedModel resolve(String modelArg) {
        String argument = modelArg == null || modelArg.isBlank() ? DEFAULT_MODEL : modelArg.strip();
        if (argument.equals(DEFAULT_MODEL)) {
            Path folder = EmbeddedModels.ensureMinilm(childTuneHome());
            return new ResolvedModel(
                    folder, "embedded all-MiniLM-L6-v2 (imported into " + folder + ")");
        }
        Optional<Path> local = asPath(argument).filter(Files::exists);
        if (local.isPresent()) {
            return localFolder(local.get());
        }
        HubId id =
                HubId.parse(argument)
                        .orElseThrow(
                                () ->
                                        new ChildTuneException(
                                                "model '"
                                                        + argument
                                                        + "' is neither an existing folder nor a"
                                                        + " Hugging Face model id (org/name or"
                                                        + " org/name@revision)"));
        return hubModel(id);
    }

    /** The ChildTune cache: $CHILDTUNE_HOME, else ~/.cache/childtune. */
    public Path childTuneHome() {
        return env("CHILDTUNE_HOME")
                .map(Path::of)
                .orElse(userHome.resolve(".cache").resolve("childtune"));
    }

    /** The Hugging Face hub cache, as huggingface_hub finds it. */
    public Path hubCache() {
        return env("HF_HUB_CACHE").map(Path::of).orElse(hfHome().resolve("hub"));
    }

    private Path hfHome() {
        return env("HF_HOME")
                .map(Path::of)
                .orElse(
                        env("XDG_CACHE_HOME")
                                .map(Path::of)
                                .orElse(userHome.resolve(".cache"))
                                .resolve("huggingface"));
    }

    private ResolvedModel localFolder(Path path) {
        Path folder = path.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new ChildTuneException(
                    folder + " is a file; expected a Hugging Face model folder");
        }
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw new ChildTuneException(
                    "model folder "
                            + folder
                            + " has no config.json: expected a Hugging Face model folder");
        }
        return new ResolvedModel(folder, "local folder " + folder);
    }

    private ResolvedModel hubModel(HubId id) {
        HubCache cache = new HubCache(hubCache(), id.repo());
        Optional<Path> snapshot = cache.snapshot(id.revision());
        List<String> missing = snapshot.map(HubCache::missingFiles).orElse(List.of());
        if (snapshot.isPresent() && missing.isEmpty()) {
            return new ResolvedModel(
                    snapshot.get(), "Hugging Face cache " + snapshot.get() + " (" + id + ")");
        }
        String notCached =
                snapshot.isPresent()
                        ? "%s is incomplete in the Hugging Face cache (%s lacks %s)"
                                .formatted(
                                        id.describe(), snapshot.get(), String.join(", ", missing))
                        : "%s is not in the Hugging Face cache (%s)"
                                .formatted(id.describe(), cache.repoFolder());
        if (env("HF_HUB_OFFLINE")
                .map(v -> TRUE_VALUES.contains(v.toLowerCase(Locale.ROOT)))
                .orElse(false)) {
            throw new ChildTuneException(
                    notCached
                            + " and HF_HUB_OFFLINE is set: download it once online, or pass a local"
                            + " folder");
        }
        URI endpoint = URI.create(env("HF_ENDPOINT").orElse(DEFAULT_ENDPOINT));
        try {
            Path folder = new HubDownloader(endpoint, token(), listener).download(id, cache);
            return new ResolvedModel(
                    folder,
                    "downloaded from %s/%s (%s) into %s"
                            .formatted(endpoint, id.repo(), id.revision(), folder));
        } catch (HubDownloader.UnreachableException e) {
            throw new ChildTuneException(
                    notCached
                            + " and "
                            + e.getMessage()
                            + ": connect once to download it (HF_ENDPOINT selects a mirror), or"
                            + " pass a local folder",
                    e);
        }
    }

    /** $HF_TOKEN, else the token file of {@code hf auth login}, else null. */
    private String token() {
        Optional<String> token = env("HF_TOKEN");
        if (token.isPresent()) {
            return token.get();
        }
        Path file = env("HF_TOKEN_PATH").map(Path::of).orElse(hfHome().resolve("token"));
        try {
            String stored =
                    Files.isRegularFile(file)
                            ? Files.readString(file, StandardCharsets.UTF_8).strip()
                            : "";
            return stored.isEmpty() ? null : stored;
        } catch (IOException e) {
            throw new ChildTuneException(
                    "cannot read the Hugging Face token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The argument as a path, with a leading "~" meaning the home folder; empty if not a valid
     * path.
     */
    private Optional<Path> asPath(String argument) {
        try {
            if (argument.equals("~") || argument.startsWith("~/")) {
                return Optional.of(userHome.resolve(argument.substring(1).replaceFirst("^/", "")));
            }
            return Optional.of(Path.of(argument));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private Optional<String> env(String name) {
        return Optional.ofNullable(environment.get(name))
                .map(String::strip)
                .filter(v -> !v.isEmpty());
    }
}
