package dev.childtune.text;

/**
 * One tokenized example, unpadded: all arrays have the same length, at most the tokenizer's maximum
 * length, special tokens included. (As for any record of arrays, {@code equals} compares the array
 * references, not their contents.)
 *
 * @param inputIds token ids
 * @param tokenTypeIds segment ids (0 for the first text, 1 for the second where the model uses
 *     them)
 * @param attentionMask 1 for every token (there is no padding yet)
 * @param tokens the token strings, for display and debugging
 */
public record Encoded(long[] inputIds, long[] tokenTypeIds, long[] attentionMask, String[] tokens) {
    /** The number of tokens. */
    public int length() {
        return inputIds.length;
    }
}
