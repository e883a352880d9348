package dev.childtune.bench;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the figures were measured on: cores, CPU model, the engine and its thread counts, the JVM,
 * and the load average (a busy machine makes every figure contended).
 *
 * @param engineThreads the engine's intra-op threads (libtorch {@code get_num_threads}), -1 if unknown
 * @param interopThreads the engine's inter-op threads, -1 if unknown
 * @param loadAverage the 1-minute load average when read, NaN where /proc is absent
 */
public record MachineInfo(int cores, String cpuModel, long memoryKiB, String os, String jvm, String engine,
        String engineVersion, String djlVersion, int engineThreads, int interopThreads, double loadAverage) {

    /** Reads this machine (starts the engine). */
    public static MachineInfo read() {
        Engine engine = Engine.getInstance();
        int threads = -1;
        int interop = -1;
        try {
            threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            interop = ai.djl.pytorch.jni.JniUtils.getNumInteropThreads();
        } catch (LinkageError | RuntimeException e) {
            // another engine: thread counts unknown
        }
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(), memTotalKiB(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)",
                engine.getEngineName(), engine.getVersion(), Engine.getDjlVersion(), threads, interop,
                currentLoadAverage());
    }

    /** Whether the load average says others compete for the cores (more than half of them busy). */
    public boolean busy() {
        return loadAverage > 0.5 * cores;
    }

    /** The first {@code model name} of /proc/cpuinfo, else the architecture. */
    static String readCpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static long memTotalKiB() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    /** The 1-minute load average, NaN where /proc/loadavg is absent. */
    public static double currentLoadAverage() {
        List<String> lines = lines(Path.of("/proc/loadavg"));
        try {
            return lines.isEmpty() ? Double.NaN : Double.parseDouble(lines.get(0).split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** One line for the report's header. */
    public String describe() {
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB; %s %s (DJL %s), %d intra-op / %d inter-op threads; %s",
                cpuModel, cores, memoryKiB / 1048576.0, engine, engineVersion, djlVersion, engineThreads,
                interopThreads, jvm);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("cores", cores);
        o.addProperty("cpu_model", cpuModel);
        o.addProperty("memory_kib", memoryKiB);
        o.addProperty("os", os);
        o.addProperty("jvm", jvm);
        o.addProperty("engine", engine);
        o.addProperty("libtorch_version", engineVersion);
        o.addProperty("djl_version", djlVersion);
        o.addProperty("engine_threads", engineThreads);
        o.addProperty("engine_interop_threads", interopThreads);
        if (!Double.isNaN(loadAverage)) {
            o.addProperty("load_average_1min_at_start", loadAverage);
        }
        o.addProperty("busy_at_start", busy());
        return o;
    }
}
