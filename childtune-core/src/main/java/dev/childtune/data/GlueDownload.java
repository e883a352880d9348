package dev.childtune.data;

import dev.childtune.ChildTuneException;
import dev.childtune.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fetches a GLUE task from the standard location that GLUE's own download script uses (one zip
 * per task) into a cache folder, once. MRPC is the exception: its split is built from Microsoft's
 * source files, so it must be given with {@code --data}.
 */
public final class GlueDownload {
    /** Where GLUE's download script takes the task archives from. */
    public static final String DEFAULT_BASE_URL = "https://dl.fbaipublicfiles.com/glue/data";

    private static final Map<String, String> ARCHIVES = Map.of(
            "CoLA", "CoLA.zip", "SST-2", "SST-2.zip", "QQP", "QQP-clean.zip", "STS-B", "STS-B.zip",
            "MNLI", "MNLI.zip", "QNLI", "QNLIv2.zip", "RTE", "RTE.zip", "WNLI", "WNLI.zip");

    private GlueDownload() {}

    /** Whether the environment forbids downloads: {@code CHILDTUNE_OFFLINE=1} or {@code HF_HUB_OFFLINE=1}. */
    public static boolean offline(Map<String, String> env) {
        return "1".equals(env.get("CHILDTUNE_OFFLINE")) || "1".equals(env.get("HF_HUB_OFFLINE"));
    }

    /**
     * The folder {@code cacheRoot/glue/<Task>} holding the task's files, downloaded first when it
     * is not there.
     *
     * @param baseUrl where the archives are ({@link #DEFAULT_BASE_URL} unless mirrored)
     * @param offline never connect: a missing copy is an error saying what to do
     */
    public static Path ensure(GlueTask glue, Path cacheRoot, String baseUrl, boolean offline) {
        Path folder = cacheRoot.resolve("glue").resolve(glue.folder());
        if (glue.files().stream().allMatch(f -> Files.isRegularFile(folder.resolve(f)))) {
            return folder;
        }
        String archive = ARCHIVES.get(glue.folder());
        String instead = "pass --data DIR (a folder with " + String.join(", ", glue.files())
                + ") or set $GLUE_DIR";
        if (archive == null) {
            throw new ChildTuneException("task " + glue.task().name() + ": " + glue.folder()
                    + " cannot be downloaded automatically (its split is built from Microsoft's source files); "
                    + instead);
        }
        if (offline) {
            throw new ChildTuneException("task " + glue.task().name() + ": no copy in " + folder
                    + " and downloads are off (offline); " + instead);
        }
        URI uri = URI.create(baseUrl + "/" + archive);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new ChildTuneException("GET " + uri + " returned HTTP " + response.statusCode() + "; " + instead);
            }
            try (ZipInputStream zip = new ZipInputStream(response.body())) {
                AtomicFiles.replaceFolder(folder, staging -> extract(zip, glue, staging, uri));
            }
            return folder;
        } catch (IOException e) {
            throw new ChildTuneException("task " + glue.task().name() + ": cannot download " + uri + " ("
                    + e.getClass().getSimpleName() + "); " + instead, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChildTuneException("interrupted while downloading " + uri, e);
        }
    }

    /** Writes the task's files from the archive (whatever folder they sit in) into {@code target}. */
    private static void extract(ZipInputStream zip, GlueTask glue, Path target, URI source) throws IOException {
        for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
            String name = Path.of(entry.getName()).getFileName().toString();
            if (!entry.isDirectory() && glue.files().contains(name)) {
                Files.copy(zip, target.resolve(name));
            }
        }
        for (String file : glue.files()) {
            if (!Files.isRegularFile(target.resolve(file))) {
                throw new IOException(source + " has no " + file);
            }
        }
    }
}
