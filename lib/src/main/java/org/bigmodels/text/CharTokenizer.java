package org.bigmodels.text;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The simplest tokenizer: one token per character. The vocabulary is the sorted set of distinct characters of a
 * text, so token i is the i-th smallest character. A character model needs no merges or unknown-token tricks, and
 * its loss reads directly in nats per character. Built in 04-tiny-gpt.
 */
public final class CharTokenizer {
    private final char[] chars;   // id -> char, sorted
    private final int[] index;    // char -> id, or -1

    private CharTokenizer(char[] chars) {
        this.chars = chars;
        int max = chars.length == 0 ? 0 : chars[chars.length - 1];
        this.index = new int[max + 1];
        Arrays.fill(index, -1);
        for (int i = 0; i < chars.length; i++) index[chars[i]] = i;
    }

    /** The vocabulary of {@code text}: its distinct characters, sorted. */
    public static CharTokenizer fit(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("CharTokenizer.fit: expected a non-empty text to take the vocabulary from");
        }
        TreeSet<Character> set = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) set.add(text.charAt(i));
        char[] cs = new char[set.size()];
        int i = 0;
        for (char c : set) cs[i++] = c;
        return new CharTokenizer(cs);
    }

    /** Number of distinct tokens (characters). */
    public int vocabSize() {
        return chars.length;
    }

    /** The token ids of a string; a character outside the vocabulary is an error naming it and its position. */
    public int[] encode(String s) {
        int[] ids = new int[s.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = s.charAt(i);
            int id = c < index.length ? index[c] : -1;
            if (id < 0) {
                throw new IllegalArgumentException("CharTokenizer.encode: character " + describe(c) + " at position " + i
                        + " is not in the vocabulary of " + chars.length + " characters; the tokenizer only knows the "
                        + "characters of the text it was fitted on");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** The string of a sequence of token ids. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int i = 0; i < ids.length; i++) sb.append(charOf(ids[i]));
        return sb.toString();
    }

    /** The character of one token id. */
    public char charOf(int id) {
        if (id < 0 || id >= chars.length) {
            throw new IllegalArgumentException("CharTokenizer.decode: token id " + id + " is outside [0, "
                    + chars.length + ")");
        }
        return chars[id];
    }

    /** The vocabulary as a string, in id order. */
    public String vocabulary() {
        return new String(chars);
    }

    private static String describe(char c) {
        return Character.isISOControl(c) || Character.isWhitespace(c)
                ? String.format("U+%04X", (int) c) : "'" + c + "' (U+" + String.format("%04X", (int) c) + ")";
    }

    @Override
    public String toString() {
        return "CharTokenizer[" + chars.length + " characters]";
    }
}
