package dev.childtune.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The cells of the {@link Columns} of a data file, row by row, as read by {@link TableReader}.
 *
 * @param file the file read
 * @param columns the columns read, in the cell order text, text pair (when present), label
 * @param rows the data rows in file order
 */
record Table(Path file, Columns columns, List<Row> rows) {
    /**
     * One data row.
     *
     * @param line the 1-based line where the row starts
     * @param cells the cells of {@link Columns#names()}, in that order
     */
    record Row(int line, String[] cells) {
        String text() {
            return cells[0];
        }

        /** The second text, or null when the columns have no text pair. */
        String textPair() {
            return cells.length == 3 ? cells[1] : null;
        }

        String label() {
            return cells[cells.length - 1];
        }
    }
}
