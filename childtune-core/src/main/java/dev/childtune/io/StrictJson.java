package dev.childtune.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Parses JSON files written by other tools (config.json, tokenizer.json, safetensors headers,
 * shard indexes) the way Python's {@code json} module reads them, only stricter: no comments,
 * unquoted names, single quotes, NaN or trailing content, and no key given twice in one object
 * (Gson alone would keep the last one silently). Every problem is a one-line
 * {@link ChildTuneException} naming the file, the JSON path and what was expected.
 *
 * <p>Numbers keep their text and their exact {@link BigDecimal} value; one longer than {@value #MAX_NUMBER_CHARS} characters
 * or with an exponent beyond &plusmn;{@value #MAX_EXPONENT} is rejected, so that no later
 * conversion can be made to build a gigantic integer.
 */
public final class StrictJson {
    static final int MAX_NUMBER_CHARS = 10_000;
    static final int MAX_EXPONENT = 10_000;

    private StrictJson() {}

    /**
     * Reads {@code file} as UTF-8 JSON.
     *
     * @param what what the file is, for messages ("config.json", "tokenizer file", ...)
     */
    public static JsonElement read(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ChildTuneException(file + ": file not found; expected the " + what, e);
        } catch (IOException e) {
            throw new ChildTuneException(oneLine(file + ": cannot read the " + what + ": " + e), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ChildTuneException(file + ": the " + what + " is not UTF-8 text; expected a JSON file", e);
        }
        return parse(file, text, what);
    }

    /**
     * Parses {@code text}, which came from {@code file}.
     *
     * @param what what the text is, for messages
     */
    public static JsonElement parse(Object file, String text, String what) {
        if (text.isBlank()) {
            throw new ChildTuneException(file + ": the " + what + " is empty; expected a JSON value");
        }
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        try {
            JsonElement element = element(file, reader, what);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw invalid(file, what, "unexpected content after the JSON value " + position(reader));
            }
            return element;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // Gson's JsonReader refuses nesting deeper than 255 levels, which bounds the recursion.
            throw new ChildTuneException(
                    oneLine(file + ": the " + what + " is not valid JSON (" + clean(e.getMessage()) + ")"), e);
        }
    }

    private static JsonElement element(Object file, JsonReader reader, String what) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw new ChildTuneException(oneLine(file + ": the " + what + " has the key \""
                                + shorten(name) + "\" twice in one object (" + reader.getPath()
                                + "); expected each key once"));
                    }
                    object.add(name, element(file, reader, what));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(element(file, reader, what));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                String path = reader.getPath();
                String digits = reader.nextString();
                if (digits.length() > MAX_NUMBER_CHARS) {
                    throw invalid(file, what, "a number of " + digits.length() + " characters at " + path);
                }
                BigDecimal number = new BigDecimal(digits);
                if (Math.abs((long) number.scale()) > MAX_EXPONENT) {
                    throw invalid(file, what, "the number " + shorten(digits) + " at " + path + " is out of range");
                }
                return new JsonPrimitive(new Decimal(digits, number));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw invalid(file, what, "unexpected " + reader.peek() + " " + position(reader));
        }
    }

    /** A number as written in the file (messages echo it unchanged), with its exact value. */
    private static final class Decimal extends Number {
        private static final long serialVersionUID = 1L;
        private final String text;
        private final BigDecimal value;

        Decimal(String text, BigDecimal value) {
            this.text = text;
            this.value = value;
        }

        @Override
        public int intValue() {
            return value.intValue();
        }

        @Override
        public long longValue() {
            return value.longValue();
        }

        @Override
        public float floatValue() {
            return value.floatValue();
        }

        @Override
        public double doubleValue() {
            return value.doubleValue();
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static ChildTuneException invalid(Object file, String what, String problem) {
        return new ChildTuneException(oneLine(file + ": the " + what + " is not valid JSON (" + problem + ")"));
    }

    private static String position(JsonReader reader) {
        // JsonReader.toString() ends with " at line L column C path P".
        String text = reader.toString();
        int at = text.indexOf(" at line ");
        return at < 0 ? "" : text.substring(at + 1);
    }

    /** Gson's messages without its advice to programmers (lenient mode, troubleshooting links). */
    static String clean(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        return message
                .replaceFirst("^Use JsonReader\\.setStrictness\\(Strictness\\.LENIENT\\) to accept malformed JSON",
                        "malformed JSON")
                .replaceAll("\\s*See https?://\\S+", "")
                .strip();
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
