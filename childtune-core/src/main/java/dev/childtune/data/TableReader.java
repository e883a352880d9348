package dev.childtune.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the {@link Columns} of a CSV, TSV or JSON Lines file into a {@link Table}, checking the
 * layout as it goes: every malformed row is a one-line error naming the file, the line and what was
 * expected.
 */
final class TableReader {
    private static final Gson STRICT_JSON =
            new GsonBuilder().setStrictness(Strictness.STRICT).create();

    private TableReader() {}

    /**
     * Reads {@code file}.
     *
     * @param impliedHeader the column names of a TSV file without a header line, or null when the
     *     first line is the header (CSV, TSV) or the rows are objects (JSON Lines)
     */
    static Table read(Path file, FileFormat format, List<String> impliedHeader, Columns columns) {
        return read(file, format, impliedHeader, columns, header -> null);
    }

    /**
     * Same, telling a file laid out for another task apart from a broken one.
     *
     * @param otherLayout given a header line's fields, says which other layout (e.g. which other
     *     GLUE task's files) has that header, or null when none does
     */
    static Table read(
            Path file,
            FileFormat format,
            List<String> impliedHeader,
            Columns columns,
            Function<List<String>, String> otherLayout) {
        try (TextInput in = TextInput.open(file)) {
            List<String> header = impliedHeader;
            boolean headerLine = header == null && format != FileFormat.JSONL;
            if (headerLine) {
                String first = in.readRow();
                if (first == null) {
                    throw DataErrors.at(
                            file,
                            1,
                            "empty file; expected a header line naming the columns "
                                    + DataErrors.list(columns.names())
                                    + ", then one example per line");
                }
                header = fields(format, first, in);
            }
            int firstRowLine = in.line() + 1;
            List<Table.Row> rows =
                    header == null
                            ? jsonLines(in, columns.names())
                            : delimited(in, format, header, headerLine, columns.names(), otherLayout);
            if (rows.isEmpty()) {
                throw DataErrors.at(
                        file,
                        firstRowLine,
                        "no examples; expected at least one data row"
                                + (headerLine ? " after the header" : ""));
            }
            return new Table(file, columns, rows);
        }
    }

    private static List<Table.Row> delimited(
            TextInput in,
            FileFormat format,
            List<String> header,
            boolean headerLine,
            List<String> names,
            Function<List<String>, String> otherLayout) {
        int[] index = new int[names.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = header.indexOf(names.get(i));
            if (index[i] < 0) {
                String other = otherLayout.apply(header);
                throw DataErrors.at(
                        in.file(),
                        in.line(),
                        "no column %s in the header; expected it among the header's columns %s%s"
                                .formatted(
                                        DataErrors.quote(names.get(i)),
                                        DataErrors.list(header),
                                        other == null ? "" : " (" + other + ")"));
            }
        }
        List<Table.Row> rows = new ArrayList<>();
        for (String text = in.readRow(); text != null; text = in.readRow()) {
            int line = in.line();
            List<String> fields = fields(format, text, in);
            String other = !headerLine && rows.isEmpty() ? otherLayout.apply(fields) : null;
            if (other != null) {
                throw DataErrors.at(
                        in.file(),
                        line,
                        "found a header line (%s); expected no header line, only rows of %s"
                                .formatted(other, DataErrors.list(header)));
            }
            if (fields.size() != header.size()) {
                throw DataErrors.at(
                        in.file(),
                        line,
                        "found %d %s columns, expected %d: %s"
                                .formatted(
                                        fields.size(),
                                        separated(format),
                                        header.size(),
                                        DataErrors.list(header)));
            }
            String[] cells = new String[index.length];
            for (int i = 0; i < index.length; i++) {
                cells[i] = fields.get(index[i]);
            }
            rows.add(new Table.Row(line, cells));
        }
        return rows;
    }

    private static String separated(FileFormat format) {
        return format == FileFormat.TSV ? "tab-separated" : "comma-separated";
    }

    /** The fields of the row starting with {@code text}; a CSV row may go on over more lines. */
    private static List<String> fields(FileFormat format, String text, TextInput in) {
        return format == FileFormat.TSV ? List.of(text.split("\t", -1)) : csvFields(text, in);
    }

    /** RFC 4180: quoted fields may hold commas, line breaks and doubled quotes. */
    private static List<String> csvFields(String text, TextInput in) {
        int rowLine = in.line();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            field.setLength(0);
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (true) {
                    int quote = text.indexOf('"', i);
                    if (quote < 0) {
                        field.append(text, i, text.length()).append('\n');
                        if (field.length() > TextInput.MAX_LINE_CHARS) {
                            throw DataErrors.at(
                                    in.file(),
                                    rowLine,
                                    "quoted field longer than %d characters; expected a closing \" (is one missing?)"
                                            .formatted(TextInput.MAX_LINE_CHARS));
                        }
                        text = in.readLine();
                        if (text == null) {
                            throw DataErrors.at(
                                    in.file(),
                                    rowLine,
                                    "quoted field never closed; expected a closing \" before the"
                                            + " end of the file");
                        }
                        i = 0;
                    } else if (quote + 1 < text.length() && text.charAt(quote + 1) == '"') {
                        field.append(text, i, quote + 1);
                        i = quote + 2;
                    } else {
                        field.append(text, i, quote);
                        i = quote + 1;
                        break;
                    }
                }
                if (i < text.length() && text.charAt(i) != ',') {
                    throw DataErrors.at(
                            in.file(),
                            in.line(),
                            "unexpected "
                                    + DataErrors.quote(text.substring(i, i + 1))
                                    + " after a closing quote; expected a comma or the end of the"
                                    + " line (write \"\" for a quote inside a quoted field)");
                }
            } else {
                int comma = text.indexOf(',', i);
                int end = comma < 0 ? text.length() : comma;
                field.append(text, i, end);
                i = end;
            }
            fields.add(field.toString());
            if (i >= text.length()) {
                return fields;
            }
            i++;
        }
    }

    private static List<Table.Row> jsonLines(TextInput in, List<String> names) {
        List<Table.Row> rows = new ArrayList<>();
        for (String text = in.readRow(); text != null; text = in.readRow()) {
            JsonObject object = jsonObject(in, text);
            String[] cells = new String[names.size()];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = jsonCell(in, object, names.get(i));
            }
            rows.add(new Table.Row(in.line(), cells));
        }
        return rows;
    }

    private static JsonObject jsonObject(TextInput in, String text) {
        JsonElement element;
        try {
            element = STRICT_JSON.fromJson(text, JsonElement.class);
        } catch (JsonParseException e) {
            throw DataErrors.at(
                    in.file(),
                    in.line(),
                    "not valid JSON ("
                            + e.getMessage()
                            + "); expected one JSON object per line (JSON Lines)");
        }
        if (!element.isJsonObject()) {
            throw DataErrors.at(
                    in.file(),
                    in.line(),
                    "found "
                            + DataErrors.quote(text)
                            + "; expected one JSON object per line (JSON Lines)");
        }
        return element.getAsJsonObject();
    }

    private static String jsonCell(TextInput in, JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null) {
            throw DataErrors.at(
                    in.file(),
                    in.line(),
                    "no key %s; expected it among this object's keys %s"
                            .formatted(DataErrors.quote(name), DataErrors.list(object.keySet())));
        }
        if (!value.isJsonPrimitive()) {
            throw DataErrors.at(
                    in.file(),
                    in.line(),
                    "key %s holds %s; expected a string or a number"
                            .formatted(DataErrors.quote(name), DataErrors.quote(value.toString())));
        }
        return value.getAsString();
    }
}
