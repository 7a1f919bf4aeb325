package org.bigmodels.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two option styles of the benchmarks read alike (BenchOptions), against hand-written expected arguments. */
class BenchOptionsTest {
    private static final List<String> KEYS = List.of("calib", "groups", "teacherEpochs");
    private static final List<String> FLAGS = List.of("layers");

    private static String[] norm(String... args) {
        return BenchOptions.keyValues(args, KEYS, FLAGS);
    }

    @Test
    void dashedFormsBecomeKeyValue() {
        assertArrayEquals(new String[] {"calib=64", "groups=32,64", "teacherEpochs=5", "layers"},
                norm("--calib", "64", "--groups=32,64", "--teacher-epochs", "5", "--layers"),
                "--key value, --key=value, a dashed name and a flag should all reach the key=value parser");
    }

    @Test
    void keyValueHelpAndUnknownPassUnchanged() {
        assertArrayEquals(new String[] {"calib=8", "--help", "--bogus", "7", "train", "-h"},
                norm("calib=8", "--help", "--bogus", "7", "train", "-h"),
                "key=value, --help and unknown options must reach the benchmark unchanged, for it to accept or report");
    }

    @Test
    void aValueThatLooksLikeAnOptionIsStillTheValue() {
        assertArrayEquals(new String[] {"groups=--layers"}, norm("--groups", "--layers"),
                "the argument after --key is its value, whatever it looks like (the benchmark then rejects it)");
    }

    @Test
    void aFlagGivenAValueIsNotAFlag() {
        assertArrayEquals(new String[] {"--layers=yes"}, norm("--layers=yes"),
                "--flag=value is no flag form: passed on, for the benchmark to report as unknown");
    }

    @Test
    void missingValueIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> norm("--calib"));
        assertTrue(e.getMessage().contains("--calib") && e.getMessage().contains("calib=VALUE"), e.getMessage());
    }

    @Test
    void camelCase() {
        assertEquals("teacherEpochs", BenchOptions.camelCase("teacher-epochs"));
        assertEquals("weakTeacherEpochs", BenchOptions.camelCase("weak-teacher-epochs"));
        assertEquals("T", BenchOptions.camelCase("T"));
        assertEquals("calib", BenchOptions.camelCase("calib"));
    }

    @Test
    void readIntoFillsDefaultsAndRefusesUnknownKeys() {
        var options = new java.util.LinkedHashMap<String, String>();
        options.put("teacherEpochs", "20");
        options.put("T", "5");
        BenchOptions.readInto(options, new String[] {"--teacher-epochs", "3", "T=2"}, "distill");
        assertEquals("3", options.get("teacherEpochs"), "--teacher-epochs 3 should set teacherEpochs");
        assertEquals("2", options.get("T"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.readInto(options, new String[] {"epochs=3"}, "distill"));
        assertTrue(e.getMessage().contains("unknown argument epochs=3") && e.getMessage().contains("teacherEpochs"),
                "the message should name the argument and the known keys: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.readInto(options, new String[] {"T"}, "distill"),
                "a key without =value is no option");
    }
}
