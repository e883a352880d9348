package dev.childtune.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generic CSV data for command tests: a positive/negative toy task. */
final class ToyData {
    private ToyData() {}

    static void writeCsv(Path file, int rows) throws IOException {
        StringBuilder csv = new StringBuilder("text,label\n");
        String[] good = {"a wonderful, moving film", "great acting and a clever plot", "I loved every minute"};
        String[] bad = {"a dull, lifeless mess", "terrible pacing and flat jokes", "I want my money back"};
        for (int i = 0; i < rows; i++) {
            csv.append('"').append(i % 2 == 0 ? good[i % 3] : bad[i % 3]).append("\",").append(i % 2 == 0 ? "pos" : "neg")
                    .append('\n');
        }
        Files.writeString(file, csv.toString());
    }
}
