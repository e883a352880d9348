package dev.childtune.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self times from a Chrome trace: nested operators are subtracted from their callers, per thread. */
class OperatorProfileTest {
    @TempDir
    Path tmp;

    @Test
    void selfTimesSubtractNestedOperatorsPerThread() throws IOException {
        // thread 1: linear [0, 100) calls addmm [10, 90) which calls copy_ [20, 30); then add [100, 110)
        // thread 2 (autograd): mm [0, 50), and a Python-level event without cpu_op category (ignored)
        String trace = """
                {"traceEvents": [
                  {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "tid": 1, "ts": 0, "dur": 100},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::addmm", "tid": 1, "ts": 10, "dur": 80},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::copy_", "tid": 1, "ts": 20, "dur": 10},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::add", "tid": 1, "ts": 100, "dur": 10},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "tid": 2, "ts": 0, "dur": 50},
                  {"ph": "X", "cat": "python_function", "name": "forward", "tid": 2, "ts": 0, "dur": 500},
                  {"ph": "i", "cat": "cpu_op", "name": "marker", "tid": 1, "ts": 5}
                ]}""";
        Path file = Files.writeString(tmp.resolve("trace.json"), trace);
        OperatorProfile profile = OperatorProfile.read(file);
        Map<String, Double> self = new java.util.HashMap<>();
        profile.operators().forEach(o -> self.put(o.name(), o.selfMillis() * 1000));
        assertEquals(Map.of("aten::linear", 20.0, "aten::addmm", 70.0, "aten::copy_", 10.0, "aten::add", 10.0,
                "aten::mm", 50.0), self);
        assertEquals(0.160, profile.engineMillis(), 1e-9, "the self times add up to the busy time");
        assertEquals("aten::addmm", profile.operators().get(0).name(), "largest first");
        Map<String, Double> kinds = profile.byKind();
        assertEquals(0.140, kinds.get("matrix products"), 1e-9, "linear, addmm and mm");
        assertEquals(0.010, kinds.get("copies and layout"), 1e-9);
        assertEquals(0.010, kinds.get("element-wise and reductions"), 1e-9);
    }
}
