package dev.childtune.checkpoint.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.childtune.ChildTuneException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One model's folder in the Hugging Face hub cache, in huggingface_hub's layout, so that Python and
 * ChildTune share downloads:
 *
 * <pre>
 * models--ORG--NAME/
 *   refs/main                   the commit hash that branch "main" pointed to
 *   blobs/SHA256                file contents, named by content hash
 *   snapshots/COMMIT/FILE       symbolic links to ../../blobs/SHA256 (plain files where links fail)
 * </pre>
 */
final class HubCache {
    // The weight files, in order of preference.
    static final String SAFETENSORS = "model.safetensors";
    static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
    static final String PYTORCH_BIN = "pytorch_model.bin";

    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    private final Path repoFolder;

    HubCache(Path hubCacheRoot, String repo) {
        this.repoFolder = hubCacheRoot.resolve("models--" + repo.replace("/", "--"));
    }

    /** This model's folder, {@code models--ORG--NAME}. */
    Path repoFolder() {
        return repoFolder;
    }

    /**
     * The snapshot folder for {@code revision}: the commit that {@code refs/REVISION} names, or the
     * revision itself when it is a commit hash; empty when neither is in the cache.
     */
    Optional<Path> snapshot(String revision) {
        Path ref = inside(repoFolder.resolve("refs"), revision);
        String commit = revision;
        if (Files.isRegularFile(ref)) {
            try {
                commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ChildTuneException("cannot read " + ref + ": " + e.getMessage(), e);
            }
        }
        Path snapshot = repoFolder.resolve("snapshots").resolve(commit);
        return COMMIT_HASH.matcher(commit).matches() && Files.isDirectory(snapshot)
                ? Optional.of(snapshot)
                : Optional.empty();
    }

    /** The snapshot folder of {@code commit}, which need not exist yet. */
    Path snapshotFolder(String commit) {
        if (!COMMIT_HASH.matcher(commit).matches()) {
            throw new ChildTuneException("not a commit hash: '" + commit + "'");
        }
        return repoFolder.resolve("snapshots").resolve(commit);
    }

    /**
     * What a snapshot lacks to be a usable model: "config.json" and/or the weights (a
     * model.safetensors, the shards a model.safetensors.index.json lists, or a pytorch_model.bin).
     */
    static List<String> missingFiles(Path snapshot) {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(snapshot.resolve("config.json"))) {
            missing.add("config.json");
        }
        if (Files.isRegularFile(snapshot.resolve(SAFETENSORS))
                || Files.isRegularFile(snapshot.resolve(PYTORCH_BIN))) {
            return missing;
        }
        Path index = snapshot.resolve(SAFETENSORS_INDEX);
        if (!Files.isRegularFile(index)) {
            missing.add(SAFETENSORS + " or " + PYTORCH_BIN);
            return missing;
        }
        for (String shard : shards(index)) {
            if (!Files.isRegularFile(snapshot.resolve(shard))) {
                missing.add(shard);
            }
        }
        return missing;
    }

    /** The distinct shard file names listed in the {@code weight_map} of a safetensors index. */
    static TreeSet<String> shards(Path index) {
        JsonElement root;
        try (Reader reader = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(reader);
        } catch (IOException | JsonParseException e) {
            throw new ChildTuneException("cannot read " + index + ": " + e.getMessage(), e);
        }
        JsonElement weightMap =
                root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw new ChildTuneException(
                    index + ": expected a JSON object with a weight_map object");
        }
        TreeSet<String> shards = new TreeSet<>();
        weightMap
                .getAsJsonObject()
                .entrySet()
                .forEach(entry -> shards.add(entry.getValue().getAsString()));
        return shards;
    }

    /** Whether a blob with this content hash is already stored. */
    boolean hasBlob(String hash) {
        return Files.isRegularFile(blob(hash));
    }

    /** A new empty file next to the blobs, to download into before {@link #storeBlob}. */
    Path newDownloadFile() throws IOException {
        Path blobs = Files.createDirectories(repoFolder.resolve("blobs"));
        return Files.createTempFile(blobs, "download-", ".incomplete");
    }

    /** Moves a finished download into {@code blobs/HASH} (keeping an existing identical blob). */
    void storeBlob(Path download, String hash) throws IOException {
        if (hasBlob(hash)) {
            Files.delete(download);
        } else {
            moveAtomically(download, blob(hash));
        }
    }

    /**
     * Makes {@code snapshots/COMMIT/FILE} refer to {@code blobs/HASH}: a relative symbolic link,
     * or, where the file system refuses links, the blob itself moved there (as huggingface_hub
     * does).
     */
    void link(String commit, String file, String hash) throws IOException {
        Path target = inside(snapshotFolder(commit), file);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + ".link-" + System.nanoTime());
        try {
            Files.createSymbolicLink(temp, target.getParent().relativize(blob(hash)));
            moveAtomically(temp, target);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(temp);
            moveAtomically(blob(hash), target);
        }
    }

    /** Records that {@code revision} (a branch or tag) points to {@code commit}. */
    void writeRef(String revision, String commit) throws IOException {
        Path ref = inside(repoFolder.resolve("refs"), revision);
        Files.createDirectories(ref.getParent());
        Path temp = Files.createTempFile(ref.getParent(), ".ref-", ".tmp");
        Files.writeString(temp, commit, StandardCharsets.UTF_8);
        moveAtomically(temp, ref);
    }

    private Path blob(String hash) {
        return inside(repoFolder.resolve("blobs"), hash);
    }

    /** {@code base/relative}, refusing names that would lead outside {@code base}. */
    private static Path inside(Path base, String relative) {
        Path resolved = base.resolve(relative).normalize();
        if (!resolved.startsWith(base.normalize()) || resolved.equals(base.normalize())) {
            throw new ChildTuneException(
                    "refusing the file name '" + relative + "': it leads outside " + base);
        }
        return resolved;
    }

    /** Renames within one file system (all temporary files live next to their targets). */
    private static void moveAtomically(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
