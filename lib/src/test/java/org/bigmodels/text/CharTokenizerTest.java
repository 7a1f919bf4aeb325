package org.bigmodels.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {

    @Test
    void vocabularyIsTheSortedDistinctCharacters() {
        CharTokenizer t = CharTokenizer.fit("hello world");
        assertEquals(" dehlorw", t.vocabulary());
        assertEquals(8, t.vocabSize());
    }

    @Test
    void idsAreRanksInTheSortedVocabulary() {
        // vocabulary of "hello" is e h l o
        assertArrayEquals(new int[] {1, 0, 2, 2, 3}, CharTokenizer.fit("hello").encode("hello"));
    }

    @Test
    void decodeInvertsEncode() {
        String text = "First Citizen:\nBefore we proceed any further, hear me speak.";
        CharTokenizer t = CharTokenizer.fit(text);
        assertEquals(text, t.decode(t.encode(text)));
        assertEquals("speak", t.decode(t.encode("speak")));
    }

    @Test
    void unknownCharacterIsAClearError() {
        CharTokenizer t = CharTokenizer.fit("abc");
        var e = assertThrows(IllegalArgumentException.class, () -> t.encode("abz"));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("position 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {3}));
    }
}
