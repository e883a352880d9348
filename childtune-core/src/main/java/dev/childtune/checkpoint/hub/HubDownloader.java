package dev.childtune.checkpoint.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.childtune.ChildTuneException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Downloads the files ChildTune needs of one model revision from the Hugging Face Hub (or a mirror
 * at the same API) into the {@link HubCache}. Each file is fetched into a temporary file and
 * renamed into place once complete, so an interrupted download never looks finished.
 */
final class HubDownloader {
    /** Configuration and tokenizer files, fetched when the repository has them. */
    private static final List<String> SMALL_FILES =
            List.of(
                    "config.json",
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "special_tokens_map.json",
                    "vocab.txt",
                    "vocab.json",
                    "merges.txt");

    private static final int MAX_REDIRECTS = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** The Hub could not be reached at all: no connection, or it broke before a response came. */
    static final class UnreachableException extends IOException {
        UnreachableException(URI uri, IOException cause) {
            super(
                    "the Hugging Face Hub at "
                            + uri.getScheme()
                            + "://"
                            + uri.getAuthority()
                            + " cannot be reached ("
                            + (cause.getMessage() == null
                                    ? cause.getClass().getSimpleName()
                                    : cause.getMessage())
                            + ")",
                    cause);
        }
    }

    private record RepoInfo(String commit, Set<String> files) {}

    /** A successful response and the SHA-256 the Hub announced for its content, if any. */
    private record Fetched(HttpResponse<InputStream> response, String linkedSha256) {}

    private final URI endpoint;
    private final String token;
    private final DownloadListener listener;
    private final HttpClient http;

    /**
     * @param endpoint the Hub, e.g. https://huggingface.co
     * @param token sent as a bearer token to the endpoint's host (never to the hosts it redirects
     *     to), or null
     */
    HubDownloader(URI endpoint, String token, DownloadListener listener) {
        this.endpoint = endpoint;
        this.token = token;
        this.listener = listener;
        this.http =
                HttpClient.newBuilder()
                        .followRedirects(
                                HttpClient.Redirect
                                        .NEVER) // followed here, to keep tokens on the Hub
                        .connectTimeout(Duration.ofSeconds(15))
                        .build();
    }

    /**
     * Downloads config.json, the tokenizer files and the weights (model.safetensors, else a
     * safetensors index and its shards, else pytorch_model.bin) of {@code id}; files already in the
     * snapshot are kept. Records the revision's commit under refs/ last.
     *
     * @return the snapshot folder
     * @throws UnreachableException when the Hub cannot be reached
     * @throws ChildTuneException on HTTP errors, unusable repositories and cache write errors
     */
    Path download(HubId id, HubCache cache) throws UnreachableException {
        RepoInfo info =
                repoInfo(
                        id.repo(),
                        uri("api/models/" + id.repo() + "/revision/" + encode(id.revision())));
        if (!info.files().contains("config.json")) {
            throw new ChildTuneException(id.describe() + " has no config.json on the Hub");
        }
        List<String> files = new ArrayList<>(SMALL_FILES);
        files.retainAll(info.files());
        String weights =
                List.of(HubCache.SAFETENSORS, HubCache.SAFETENSORS_INDEX, HubCache.PYTORCH_BIN)
                        .stream()
                        .filter(info.files()::contains)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new ChildTuneException(
                                                id.describe()
                                                        + " has no model.safetensors or"
                                                        + " pytorch_model.bin on the Hub"));
        files.add(weights);
        Path snapshot = cache.snapshotFolder(info.commit());
        for (String file : files) {
            fetchIfMissing(id.repo(), info.commit(), file, cache);
        }
        if (weights.equals(HubCache.SAFETENSORS_INDEX)) {
            for (String shard : HubCache.shards(snapshot.resolve(weights))) {
                fetchIfMissing(id.repo(), info.commit(), shard, cache);
            }
        }
        if (!id.revision().equals(info.commit())) {
            try {
                cache.writeRef(id.revision(), info.commit());
            } catch (IOException e) {
                throw new ChildTuneException(
                        "cannot write to the Hugging Face cache "
                                + cache.repoFolder()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return snapshot;
    }

    private RepoInfo repoInfo(String repo, URI uri) throws UnreachableException {
        JsonElement root;
        Fetched fetched = get(repo, uri);
        try (InputStreamReader reader =
                new InputStreamReader(fetched.response().body(), StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(reader);
        } catch (IOException | JsonParseException e) {
            throw new ChildTuneException(
                    "cannot read the answer of " + uri + ": " + e.getMessage(), e);
        }
        JsonObject info = root.isJsonObject() ? root.getAsJsonObject() : new JsonObject();
        if (!info.has("sha") || !info.has("siblings") || !info.get("siblings").isJsonArray()) {
            throw new ChildTuneException("unexpected answer from " + uri + ": no sha and siblings");
        }
        Set<String> files = new HashSet<>();
        for (JsonElement sibling : info.getAsJsonArray("siblings")) {
            files.add(sibling.getAsJsonObject().get("rfilename").getAsString());
        }
        return new RepoInfo(info.get("sha").getAsString(), files);
    }

    private void fetchIfMissing(String repo, String commit, String file, HubCache cache)
            throws UnreachableException {
        if (Files.isRegularFile(cache.snapshotFolder(commit).resolve(file))) {
            return;
        }
        URI uri = uri(repo + "/resolve/" + commit + "/" + encodePath(file));
        Fetched fetched = get(repo, uri);
        try (InputStream body = fetched.response().body()) {
            String expected = fetched.linkedSha256();
            if (expected != null && cache.hasBlob(expected)) {
                cache.link(commit, file, expected);
                return;
            }
            listener.downloading(
                    repo,
                    file,
                    fetched.response().headers().firstValueAsLong("Content-Length").orElse(-1));
            Path download = cache.newDownloadFile();
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                Files.copy(
                        new DigestInputStream(body, digest),
                        download,
                        StandardCopyOption.REPLACE_EXISTING);
                String actual = HexFormat.of().formatHex(digest.digest());
                if (expected != null && !expected.equals(actual)) {
                    throw new ChildTuneException(
                            "download of "
                                    + uri
                                    + " is corrupt: expected SHA-256 "
                                    + expected
                                    + ", got "
                                    + actual);
                }
                cache.storeBlob(download, actual);
                cache.link(commit, file, actual);
            } finally {
                Files.deleteIfExists(download);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } catch (IOException e) {
            throw new ChildTuneException(
                    "downloading "
                            + uri
                            + " into "
                            + cache.repoFolder()
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /** GET {@code uri}, following redirects; any status but 200 becomes a ChildTuneException. */
    private Fetched get(String repo, URI uri) throws UnreachableException {
        URI current = uri;
        String linkedSha256 = null;
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(current)
                            .timeout(Duration.ofSeconds(60))
                            .header("User-Agent", "childtune");
            if (token != null && sameOrigin(current, endpoint)) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response = send(request.build());
            if (linkedSha256 == null) {
                // For large (LFS) files the Hub announces the content hash before redirecting to
                // its CDN.
                linkedSha256 =
                        response.headers()
                                .firstValue("X-Linked-Etag")
                                .map(etag -> etag.replaceFirst("^W/", "").replace("\"", ""))
                                .filter(etag -> SHA256.matcher(etag).matches())
                                .orElse(null);
            }
            int status = response.statusCode();
            if (status == 200) {
                return new Fetched(response, linkedSha256);
            }
            closeQuietly(response);
            if (status / 100 == 3
                    && redirects < MAX_REDIRECTS
                    && response.headers().firstValue("Location").isPresent()) {
                current = current.resolve(response.headers().firstValue("Location").get());
                continue;
            }
            throw httpError(repo, uri, response);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws UnreachableException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UnreachableException(request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChildTuneException("interrupted while fetching " + request.uri(), e);
        }
    }

    private ChildTuneException httpError(String repo, URI uri, HttpResponse<InputStream> response) {
        int status = response.statusCode();
        String detail =
                response.headers()
                        .firstValue("X-Error-Message")
                        .map(m -> " (" + m + ")")
                        .orElse("");
        String failure = "GET " + uri + " returned HTTP " + status + detail;
        if (status == 401 || status == 403) {
            return new ChildTuneException(
                    failure
                            + ": model '"
                            + repo
                            + "' is private, gated or does not exist; "
                            + (token == null
                                    ? "if it exists, set HF_TOKEN to a Hugging Face access token"
                                            + " that can read it"
                                    : "the HF_TOKEN sent does not give access to it"));
        }
        if (status == 404) {
            return new ChildTuneException(
                    failure + ": model '" + repo + "' or its revision was not found");
        }
        return new ChildTuneException(failure);
    }

    private URI uri(String path) {
        String base = endpoint.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + path);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    /** Percent-encodes a whole value, slashes included (as huggingface_hub does for revisions). */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Percent-encodes each segment of a file path in the repository. */
    private static String encodePath(String file) {
        List<String> segments = new ArrayList<>();
        for (String segment : file.split("/")) {
            segments.add(encode(segment));
        }
        return String.join("/", segments);
    }

    private static void closeQuietly(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // nothing was read from this body; failing to close it changes nothing
        }
    }
}
