package dev.childtune.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a UTF-8 text file line by line, counting lines. Lines end at {@code \n} only (a {@code \r}
 * before it is dropped, so CRLF files read the same; a lone {@code \r} is ordinary text); a
 * byte-order mark at the start is skipped; the last line need not end with a newline. Invalid UTF-8,
 * lines over {@value #MAX_LINE_CHARS} characters and I/O failures become one-line errors naming the
 * file.
 */
final class TextInput implements Closeable {
    /**
     * The longest line accepted, far beyond any real example (texts are cut to a few hundred tokens
     * anyway); longer ones are refused before they can fill the memory.
     */
    static final int MAX_LINE_CHARS = 1 << 22;

    private final Path file;
    private final InputStream input;
    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
    private final char[] buffer = new char[1 << 16];
    private final StringBuilder pending = new StringBuilder();
    private int position;
    private int limit;
    private int line;
    private int blankLine;
    private boolean endOfInput;
    private boolean decoded;
    private boolean malformed;

    private TextInput(Path file, InputStream input) {
        this.file = file;
        this.input = input;
    }

    /** Opens {@code file}; a missing or unreadable file is a one-line error. */
    static TextInput open(Path file) {
        if (Files.isDirectory(file)) {
            throw DataErrors.inFile(file, "is a folder; expected a data file", null);
        }
        try {
            return new TextInput(file, Files.newInputStream(file));
        } catch (NoSuchFileException e) {
            throw DataErrors.inFile(file, "no such file", e);
        } catch (AccessDeniedException e) {
            throw DataErrors.inFile(file, "cannot read the file: permission denied", e);
        } catch (IOException e) {
            throw DataErrors.inFile(file, "cannot read the file: " + e, e);
        }
    }

    /** The file being read. */
    Path file() {
        return file;
    }

    /** The 1-based number of the line last returned; 0 before the first. */
    int line() {
        return line;
    }

    /** The next line, without its line end, or null at the end of the file. */
    String readLine() {
        pending.setLength(0);
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                if (!any) {
                    return null;
                }
                break;
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            pending.append(buffer, start, position - start);
            if (pending.length() > MAX_LINE_CHARS) {
                throw DataErrors.at(
                        file,
                        line + 1,
                        "line longer than %d characters; expected one example per line (is this a text file with line breaks?)"
                                .formatted(MAX_LINE_CHARS));
            }
            if (position < limit) {
                position++;
                break;
            }
        }
        line++;
        int length = pending.length();
        if (length > 0 && pending.charAt(length - 1) == '\r') {
            pending.setLength(length - 1);
        }
        if (line == 1 && pending.length() > 0 && pending.charAt(0) == '\uFEFF') {
            pending.deleteCharAt(0);
        }
        return pending.toString();
    }

    /**
     * The next non-blank line, or null at the end of the file. Blank lines may only end the file:
     * one followed by more data is an error naming its line.
     */
    String readRow() {
        for (String text = readLine(); text != null; text = readLine()) {
            if (text.isEmpty()) {
                blankLine = blankLine == 0 ? line : blankLine;
            } else if (blankLine != 0) {
                throw DataErrors.at(
                        file,
                        blankLine,
                        "blank line inside the data; expected one row per line (blank lines may"
                                + " only end the file)");
            } else {
                return text;
            }
        }
        return null;
    }

    /**
     * Decodes the next chunk into {@link #buffer}. Text decoded before invalid bytes is delivered
     * first, so the error names the line where they are.
     */
    private boolean fill() {
        if (malformed) {
            throw notUtf8();
        }
        CharBuffer out = CharBuffer.wrap(buffer);
        try {
            while (out.position() == 0 && !decoded) {
                if (!endOfInput) {
                    int read = input.read(bytes.array(), bytes.position(), bytes.remaining());
                    if (read < 0) {
                        endOfInput = true;
                    } else {
                        bytes.position(bytes.position() + read);
                    }
                }
                bytes.flip();
                CoderResult result = decoder.decode(bytes, out, endOfInput);
                bytes.compact();
                if (result.isError()) {
                    malformed = true;
                    if (out.position() == 0) {
                        throw notUtf8();
                    }
                    break;
                }
                if (endOfInput) {
                    decoder.flush(out);
                    decoded = true;
                }
            }
        } catch (IOException e) {
            throw DataErrors.inFile(file, "cannot read the file: " + e, e);
        }
        position = 0;
        limit = out.position();
        return limit > 0;
    }

    private RuntimeException notUtf8() {
        return DataErrors.at(file, line + 1, "not valid UTF-8 text; expected a UTF-8 encoded file");
    }

    @Override
    public void close() {
        try {
            input.close();
        } catch (IOException e) {
            throw DataErrors.inFile(file, "cannot close the file: " + e, e);
        }
    }
}
