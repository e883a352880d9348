package dev.childtune.text;

/**
 * How a batch is padded: the side the padding goes on and the token and segment ids padding
 * positions get. Most models pad on the right with segment id 0; XLNet pads on the left (its head
 * reads the last position) with segment id 3.
 */
public record Padding(Side side, long tokenId, long typeId) {
    /** Which end of a sequence receives the padding. */
    public enum Side {
        LEFT,
        RIGHT;

        /** Parses Hugging Face's {@code padding_side} value ("left" or "right"), or null. */
        static Side parse(String value) {
            return switch (value) {
                case "left" -> LEFT;
                case "right" -> RIGHT;
                default -> null;
            };
        }
    }

    /** Right padding with {@code tokenId} and segment id 0 (BERT, RoBERTa, ELECTRA). */
    public static Padding right(long tokenId) {
        return new Padding(Side.RIGHT, tokenId, 0);
    }
}
