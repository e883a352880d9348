package dev.childtune.experiments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs each command in a JVM of its own (DJL allows one gradient collector per JVM, and a native
 * crash must not take the sweep down): {@code java <options> -cp <classpath> <mainClass> args},
 * with the thread count given to libtorch ({@code ai.djl.pytorch.num_threads}, one inter-op
 * thread) and to OpenMP/MKL. An interrupt ends the command; the child also exits when this JVM
 * dies, however it dies.
 */
public final class JvmLauncher implements TrialLauncher {
    /** The system property that makes a ChildTune JVM exit when its parent process does. */
    public static final String EXIT_WITH_PARENT = "childtune.exit-with-parent";

    private final Path java;
    private final String classpath;
    private final String mainClass;
    private final List<String> jvmOptions;

    public JvmLauncher(Path java, String classpath, String mainClass, List<String> jvmOptions) {
        this.java = java;
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** The JVM that runs this code, with its class path. */
    public static JvmLauncher sameJvm(String mainClass, List<String> jvmOptions) {
        return new JvmLauncher(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), mainClass, jvmOptions);
    }

    @Override
    public int run(List<String> arguments, Path log, int threads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-Dai.djl.offline=true");
        command.add("-Dai.djl.pytorch.num_threads=" + threads);
        command.add("-Dai.djl.pytorch.num_interop_threads=1");
        command.add("-D" + EXIT_WITH_PARENT + "=true");
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(arguments);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ childtune " + String.join(" ", arguments) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        builder.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        Process process = builder.start();
        process.getOutputStream().close(); // no input
        try {
            return process.waitFor();
        } finally {
            if (process.isAlive()) { // interrupted: the trial is abandoned
                process.destroyForcibly();
                process.onExit().join();
            }
        }
    }
}
