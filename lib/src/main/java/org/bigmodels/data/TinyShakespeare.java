package org.bigmodels.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tiny Shakespeare: about 1.1 million characters of the plays, the classic corpus for a
 * character-level language model. Notebook: 00-welcome.
 */
public final class TinyShakespeare {

    private static volatile String text;

    private TinyShakespeare() {
    }

    /** The whole text, read once per process. */
    public static synchronized String text() {
        if (text == null) {
            Path path = Datasets.path(DatasetFile.TINY_SHAKESPEARE);
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DatasetException("Cannot read " + path + ": " + e.getMessage(), e);
            }
        }
        return text;
    }
}
