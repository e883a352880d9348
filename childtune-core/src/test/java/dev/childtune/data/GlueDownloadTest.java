package dev.childtune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.childtune.ChildTuneException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloading a GLUE task from a (loopback) mirror of the standard location, once. */
class GlueDownloadTest {
    @TempDir
    Path cache;

    private static byte[] rteZip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            String header = "index\tsentence1\tsentence2\tlabel\n";
            for (String split : new String[] {"train.tsv", "dev.tsv", "test.tsv"}) {
                zip.putNextEntry(new ZipEntry("RTE/" + split));
                zip.write((header + "0\tA cat sat.\tA cat is sitting.\tentailment\n1\tIt rains.\tIt is dry.\tnot_entailment\n")
                        .getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void downloadsOnceThenReadsTheCache() throws IOException {
        byte[] zip = rteZip();
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/glue/", exchange -> {
            requests.incrementAndGet();
            boolean known = exchange.getRequestURI().getPath().endsWith("/RTE.zip");
            exchange.sendResponseHeaders(known ? 200 : 404, known ? zip.length : -1);
            if (known) {
                exchange.getResponseBody().write(zip);
            }
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/glue";
        GlueTask rte = GlueTasks.byName("rte");
        try {
            Path folder = GlueDownload.ensure(rte, cache, base, false);
            assertEquals(cache.resolve("glue/RTE"), folder);
            TaskData data = rte.read(folder);
            assertEquals(2, data.train().size());
            assertEquals(1, data.dev().get(1).label(), "not_entailment is class 1");
            ChildTuneException missing = assertThrows(ChildTuneException.class,
                    () -> GlueDownload.ensure(GlueTasks.byName("cola"), cache, base, false));
            assertTrue(missing.getMessage().contains("HTTP 404") && missing.getMessage().contains("--data"),
                    missing.getMessage());
        } finally {
            server.stop(0);
        }
        assertEquals(cache.resolve("glue/RTE"), GlueDownload.ensure(rte, cache, base, true),
                "the cached copy is used offline, with the server gone");
        assertEquals(2, requests.get(), "one request for RTE, one for CoLA");
    }

    @Test
    void offlineWithoutACopyAndMrpcSayWhatToDo() {
        ChildTuneException offline = assertThrows(ChildTuneException.class,
                () -> GlueDownload.ensure(GlueTasks.byName("rte"), cache, "http://127.0.0.1:9", true));
        assertTrue(offline.getMessage().contains("offline") && offline.getMessage().contains("--data"),
                offline.getMessage());
        ChildTuneException mrpc = assertThrows(ChildTuneException.class,
                () -> GlueDownload.ensure(GlueTasks.byName("mrpc"), cache, "http://127.0.0.1:9", false));
        assertTrue(mrpc.getMessage().contains("cannot be downloaded automatically"), mrpc.getMessage());
    }
}
