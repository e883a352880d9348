package dev.childtune.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medians() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(7.0, Stats.median(List.of(7.0)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void ratiosAndRates() {
        assertEquals(1.5, Stats.ratio(3, 2));
        assertTrue(Double.isNaN(Stats.ratio(3, 0)));
        assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 2)));
        assertEquals(List.of(2.0, 0.5), Stats.pairedRatios(List.of(2.0, 1.0, 9.0), List.of(1.0, 2.0)));
        assertEquals(List.of(4.0, 2.0), Stats.rates(8, List.of(2.0, 4.0)));
        assertEquals(4.0, Stats.max(List.of(1.0, 4.0, 2.0)));
        assertEquals(7.0, Stats.sum(List.of(1.0, 4.0, 2.0)));
    }

    @Test
    void evenlySpacedBatchesCoverTheEpoch() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, PerformanceBenchmark.evenlySpaced(4, 4));
        assertArrayEquals(new int[] {9, 29, 48, 68}, PerformanceBenchmark.evenlySpaced(78, 4));
        assertArrayEquals(new int[] {0}, PerformanceBenchmark.evenlySpaced(1, 1));
    }

    @Test
    void sectionsParse() {
        assertEquals(EnumSet.of(Section.STEP, Section.GEMM), Section.parse("step, gemm"));
        assertEquals(EnumSet.allOf(Section.class), Section.parse("all"));
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> Section.parse("step,warp"));
        assertTrue(e.getMessage().contains("'warp'") && e.getMessage().contains("padding"), e.getMessage());
    }

    @Test
    void theChildsAnswerParses() {
        MemoryProbe.Result r = MemoryProbe.Result.parse("noise from the engine\nafter_load_kib 1000\nstep_seconds 0.5\n"
                + "step_seconds 0.25\njava_heap_committed_kib 512\njava_heap_used_kib 256\nvmhwm_kib 2048\n");
        assertEquals(1000, r.afterLoadKiB());
        assertEquals(2048, r.peakKiB());
        assertEquals(512, r.heapCommittedKiB());
        assertEquals(256, r.heapUsedKiB());
        assertArrayEquals(new double[] {0.5, 0.25}, r.stepSeconds());
        assertEquals(null, MemoryProbe.Result.parse("after_load_kib 1000\n"));
    }
}
