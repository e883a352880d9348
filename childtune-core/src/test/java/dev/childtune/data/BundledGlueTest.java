package dev.childtune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledGlueTest {
    @TempDir Path cache;

    @Test
    void theFourSmallTasksShipAndNoOther() {
        for (GlueTask glue : GlueTasks.all()) {
            boolean small = List.of("CoLA", "RTE", "MRPC", "STS-B").contains(glue.folder());
            assertEquals(small, BundledGlue.has(glue), glue.task().name());
        }
    }

    @Test
    void aDamagedCopyIsReplacedAndAGoodOneKept() throws Exception {
        GlueTask mrpc = GlueTasks.byName("mrpc");
        Path folder = BundledGlue.ensure(mrpc, cache);
        assertTrue(BundledGlue.matches(mrpc, folder));
        Path dev = folder.resolve("dev.tsv");
        long modified = Files.getLastModifiedTime(dev).toMillis();

        assertEquals(folder, BundledGlue.ensure(mrpc, cache));
        assertEquals(modified, Files.getLastModifiedTime(dev).toMillis(), "a good copy is not rewritten");

        Files.writeString(dev, "edited\n");
        BundledGlue.ensure(mrpc, cache);
        assertTrue(BundledGlue.matches(mrpc, folder), "the edited file is replaced");
        assertEquals(409, Files.readAllLines(dev).size());
        try (Stream<Path> left = Files.list(cache.resolve("glue"))) {
            assertEquals(List.of("MRPC"), left.map(p -> p.getFileName().toString()).toList(), "no staging folder left");
        }
    }

    @Test
    void manyAtOnceAllGetTheCompleteCopy() throws Exception {
        GlueTask rte = GlueTasks.byName("rte");
        int callers = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Callable<Path> call = () -> {
                    start.await();
                    Path folder = BundledGlue.ensure(rte, cache);
                    assertTrue(BundledGlue.matches(rte, folder), "complete as soon as it is returned");
                    return folder;
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            for (Future<Path> result : results) {
                assertEquals(cache.resolve("glue").resolve("RTE"), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> left = Files.list(cache.resolve("glue"))) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no staging folder left");
        }
    }
}
