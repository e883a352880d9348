package dev.childtune.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Runs one {@code childtune} command of a trial ({@code train ...}, {@code evaluate ...}). */
@FunctionalInterface
public interface TrialLauncher {
    /**
     * @param arguments the command line after {@code childtune}
     * @param log the file that receives the command's output (appended)
     * @param threads the CPU threads the command may use
     * @return the exit code, 0 for success
     */
    int run(List<String> arguments, Path log, int threads) throws IOException, InterruptedException;
}
