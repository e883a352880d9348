package dev.childtune.checkpoint.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Resolution against local folders, a hand-made Hugging Face cache and a fake Hub on loopback. */
class ModelResolverTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final byte[] WEIGHTS =
            "not really safetensors, but bytes all the same".getBytes(StandardCharsets.UTF_8);
    private static final String CONFIG = "{\"model_type\": \"bert\"}";

    @TempDir Path home;

    /** The fake Hub's answers by request path; anything else is a 404. */
    private final Map<String, Answer> routes = new ConcurrentHashMap<>();

    /** "path Authorization-header" of every request the fake Hub received. */
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** "repo file" of every download the listener heard of. */
    private final List<String> downloads = new CopyOnWriteArrayList<>();

    private HttpServer hub;
    private final Map<String, String> env = new HashMap<>();

    private record Answer(int status, Map<String, String> headers, byte[] body) {}

    @BeforeEach
    void startFakeHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", this::answer);
        hub.start();
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort());
        env.put("HF_HUB_CACHE", home.resolve("hf-hub").toString());
        env.put("HF_HOME", home.resolve("hf-home").toString());
        env.put("CHILDTUNE_HOME", home.resolve("childtune").toString());
    }

    @AfterEach
    void stopFakeHub() {
        hub.stop(0);
    }

    @Test
    void downloadsIntoTheHuggingFaceCacheLayoutAndThenResolvesOffline() throws Exception {
        serveTinyModel();
        env.put("HF_TOKEN", "secret");

        ResolvedModel downloaded = resolver().resolve("org/tiny");

        Path repo = home.resolve("hf-hub/models--org--tiny");
        Path snapshot = repo.resolve("snapshots").resolve(COMMIT);
        assertEquals(snapshot, downloaded.folder());
        assertTrue(
                downloaded
                        .source()
                        .startsWith("downloaded from " + env.get("HF_ENDPOINT") + "/org/tiny"),
                downloaded.source());
        assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
        assertEquals(CONFIG, Files.readString(snapshot.resolve("config.json")));
        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(repo.resolve("blobs").resolve(sha256(WEIGHTS))));
        assertFalse(Files.exists(snapshot.resolve("README.md")), "only the files a model needs");
        try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
            assertEquals(3, blobs.count(), "one blob per file, no leftover temporary files");
        }
        assertEquals(
                List.of("org/tiny config.json", "org/tiny vocab.txt", "org/tiny model.safetensors"),
                downloads);
        assertTrue(
                requests.contains("/api/models/org/tiny/revision/main Bearer secret"),
                requests.toString());
        assertTrue(
                requests.contains("/org/tiny/resolve/" + COMMIT + "/config.json Bearer secret"),
                requests.toString());

        hub.stop(0);
        requests.clear();
        ResolvedModel cached = resolver().resolve("org/tiny");
        ResolvedModel byCommit = resolver().resolve("org/tiny@" + COMMIT);

        assertEquals(snapshot, cached.folder());
        assertTrue(cached.source().startsWith("Hugging Face cache " + snapshot), cached.source());
        assertEquals(snapshot, byCommit.folder());
        assertEquals(List.of(), requests);
    }

    @Test
    void shardedSafetensorsArePreferredOverPytorchBinAndTheLoginTokenFileIsUsed() throws Exception {
        Files.createDirectories(home.resolve("hf-home"));
        Files.writeString(home.resolve("hf-home/token"), "from-login\n");
        String index =
                "{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\","
                        + " \"b\": \"model-00002-of-00002.safetensors\", \"c\":"
                        + " \"model-00001-of-00002.safetensors\"}}";
        serveApi(
                "org/big",
                "config.json",
                "model.safetensors.index.json",
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                "pytorch_model.bin");
        serveFile("org/big", "config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        serveFile(
                "org/big", "model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8));
        serveFile("org/big", "model-00001-of-00002.safetensors", new byte[] {1});
        serveFile("org/big", "model-00002-of-00002.safetensors", new byte[] {2});

        Path folder = resolver().resolve("org/big").folder();

        assertArrayEquals(
                new byte[] {2},
                Files.readAllBytes(folder.resolve("model-00002-of-00002.safetensors")));
        assertFalse(Files.exists(folder.resolve("pytorch_model.bin")));
        assertTrue(
                requests.contains("/api/models/org/big/revision/main Bearer from-login"),
                requests.toString());
    }

    @Test
    void corruptLargeFileIsRejected() {
        serveTinyModel();
        routes.put(
                "/org/tiny/resolve/" + COMMIT + "/model.safetensors",
                new Answer(
                        302,
                        Map.of(
                                "Location",
                                "/cdn/weights",
                                "X-Linked-Etag",
                                "\"" + "0".repeat(64) + "\""),
                        new byte[0]));

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("org/tiny"));

        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
        assertFalse(Files.exists(home.resolve("hf-hub/models--org--tiny/refs/main")));
    }

    @Test
    void missingModelIsReportedWithUrlAndStatus() {
        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("org/missing"));

        assertTrue(
                e.getMessage()
                        .startsWith(
                                "GET "
                                        + env.get("HF_ENDPOINT")
                                        + "/api/models/org/missing/revision/main returned HTTP"
                                        + " 404"),
                e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void unauthorizedModelAsksForAToken() {
        routes.put(
                "/api/models/org/private/revision/main",
                new Answer(401, Map.of("X-Error-Message", "Invalid credentials"), new byte[0]));

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("org/private"));

        assertTrue(e.getMessage().contains("HTTP 401 (Invalid credentials)"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
    }

    @Test
    void offlineWithoutCachedCopyIsReported() {
        env.put("HF_HUB_OFFLINE", "1");

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("org/tiny"));

        assertEquals(
                "model 'org/tiny' is not in the Hugging Face cache ("
                        + home.resolve("hf-hub/models--org--tiny")
                        + ") and HF_HUB_OFFLINE is set: download it once online, or pass a local"
                        + " folder",
                e.getMessage());
        assertEquals(List.of(), requests);
    }

    @Test
    void offlineWithIncompleteCachedCopyNamesWhatIsMissing() throws IOException {
        env.put("HF_HUB_OFFLINE", "true");
        Path repo = home.resolve("hf-hub/models--bert-tiny");
        Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.writeString(repo.resolve("snapshots").resolve(COMMIT).resolve("config.json"), CONFIG);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("bert-tiny"));

        assertTrue(
                e.getMessage().contains("lacks model.safetensors or pytorch_model.bin"),
                e.getMessage());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE is set"), e.getMessage());
    }

    @Test
    void unreachableHubIsReported() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + closedPort);

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve("org/tiny"));

        assertTrue(
                e.getMessage().startsWith("model 'org/tiny' is not in the Hugging Face cache"),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(
                                "and the Hugging Face Hub at http://127.0.0.1:"
                                        + closedPort
                                        + " cannot be reached"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("or pass a local folder"), e.getMessage());
    }

    @Test
    void localFolderNeedsConfigJson() throws IOException {
        Path folder = Files.createDirectories(home.resolve("my-model"));

        ChildTuneException e =
                assertThrows(ChildTuneException.class, () -> resolver().resolve(folder.toString()));
        assertEquals(
                "model folder "
                        + folder
                        + " has no config.json: expected a Hugging Face model folder",
                e.getMessage());

        Files.writeString(folder.resolve("config.json"), CONFIG);
        ResolvedModel resolved = resolver().resolve(folder.toString());
        assertEquals(folder, resolved.folder());
        assertEquals("local folder " + folder, resolved.source());
        assertEquals(folder, resolver().resolve("~/my-model").folder());
        assertEquals(List.of(), requests);
    }

    @Test
    void argumentThatIsNeitherFolderNorModelIdIsReported() {
        ChildTuneException e =
                assertThrows(
                        ChildTuneException.class, () -> resolver().resolve("./no/such/folder"));

        assertTrue(
                e.getMessage().contains("neither an existing folder nor a Hugging Face model id"),
                e.getMessage());
    }

    private ModelResolver resolver() {
        return new ModelResolver(
                env, home, (repo, file, bytes) -> downloads.add(repo + " " + file));
    }

    private void serveTinyModel() {
        serveApi("org/tiny", "config.json", "vocab.txt", "model.safetensors", "README.md");
        serveFile("org/tiny", "config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
        serveFile(
                "org/tiny",
                "vocab.txt",
                "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n".getBytes(StandardCharsets.UTF_8));
        serveFile("org/tiny", "README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        // Large files: the Hub names the content hash and redirects to its CDN.
        routes.put(
                "/org/tiny/resolve/" + COMMIT + "/model.safetensors",
                new Answer(
                        302,
                        Map.of(
                                "Location",
                                "/cdn/weights",
                                "X-Linked-Etag",
                                "\"" + sha256(WEIGHTS) + "\""),
                        new byte[0]));
        routes.put("/cdn/weights", new Answer(200, Map.of(), WEIGHTS));
    }

    private void serveApi(String repo, String... files) {
        StringBuilder siblings = new StringBuilder();
        for (String file : files) {
            siblings.append(siblings.length() == 0 ? "" : ", ")
                    .append("{\"rfilename\": \"")
                    .append(file)
                    .append("\"}");
        }
        String json =
                "{\"id\": \""
                        + repo
                        + "\", \"sha\": \""
                        + COMMIT
                        + "\", \"siblings\": ["
                        + siblings
                        + "]}";
        routes.put(
                "/api/models/" + repo + "/revision/main",
                new Answer(200, Map.of(), json.getBytes(StandardCharsets.UTF_8)));
    }

    private void serveFile(String repo, String file, byte[] content) {
        routes.put(
                "/" + repo + "/resolve/" + COMMIT + "/" + file,
                new Answer(200, Map.of("ETag", "\"some-git-hash\""), content));
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(path + " " + exchange.getRequestHeaders().getFirst("Authorization"));
        Answer answer =
                routes.getOrDefault(
                        path,
                        new Answer(
                                404,
                                Map.of(),
                                "Repository not found".getBytes(StandardCharsets.UTF_8)));
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(
                answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
