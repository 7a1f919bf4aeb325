package org.bigmodels.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every expected string below was written by hand from the rules in Format's class comment. */
class FormatTest {

    @Test
    void ticksDropFloatingPointNoiseAndWriteSmallValuesInScientificNotation() {
        assertEquals("0.3", Format.tick(0.1 + 0.2));          // 0.30000000000000004
        assertEquals("0.7", Format.tick(0.7000000000000001));
        assertEquals("3e-4", Format.tick(3e-4));
        assertEquals("1e-5", Format.tick(1e-5));
        assertEquals("2.5e-5", Format.tick(0.000025));
        assertEquals("0.001", Format.tick(0.001));
        assertEquals("1,000", Format.tick(1000));
        assertEquals("250,000", Format.tick(250_000));
        assertEquals("1e9", Format.tick(1e9));
        assertEquals("-0.5", Format.tick(-0.5));
        assertEquals("0", Format.tick(0));
        assertEquals("1.0001", Format.tick(1.0001));          // a fine axis keeps its digits
    }

    @Test
    void significantDigitsNeverRoundAwayIntegerDigits() {
        assertEquals("0.123", Format.number(0.123456));
        assertEquals("0.0123", Format.number(0.0123456));
        assertEquals("1.23", Format.number(1.23456));
        assertEquals("12,346", Format.number(12345.678));
        assertEquals("2.30", Format.number(2.30000001));
        // significant trailing zeros are kept (%.4g), an exact whole number has no decimals
        assertEquals("2.303", Format.sig(Math.log(10), 4));
        assertEquals("2.300", Format.sig(2.3, 4));
        assertEquals("0.500", Format.number(0.5));
        assertEquals("1.00", Format.number(0.9996));
        assertEquals("6", Format.sig(6.0, 6));
        assertEquals("1.00e-4", Format.sig(1e-4, 3));
        assertEquals("3.1e-4", Format.sig(0.000312, 2));
        assertEquals("1.25e10", Format.sig(1.25e10, 3));
        assertEquals("NaN", Format.number(Double.NaN));
        assertEquals("∞", Format.number(Double.POSITIVE_INFINITY));
        assertEquals("-∞", Format.number(Double.NEGATIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Format.sig(1, 0));
    }

    @Test
    void integersGetThousandsSeparators() {
        assertEquals("0", Format.integer(0));
        assertEquals("999", Format.integer(999));
        assertEquals("1,234,567", Format.integer(1_234_567));
        assertEquals("-12,000", Format.integer(-12_000));
    }

    @Test
    void bytesUseDecimalSiUnits() {
        assertEquals("0 B", Format.bytes(0));
        assertEquals("512 B", Format.bytes(512));
        assertEquals("1.54 kB", Format.bytes(1536));
        assertEquals("1.6 MB", Format.bytes(1_600_000));      // a 1.6 MB model, not 0.0015 GiB
        assertEquals("1.61 MB", Format.bytes(1_605_632));
        assertEquals("1 MB", Format.bytes(999_999));          // rounds to 1000 kB, so moves up a unit
        assertEquals("7 GB", Format.bytes(7e9));
        assertEquals("2.5 TB", Format.bytes(2.5e12));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Format.bytes(-1));
        assertEquals("Format.bytes: expected a finite, non-negative byte count, got -1.0", e.getMessage());
    }

    @Test
    void durationsUseTheUnitThatFits() {
        assertEquals("850 ns", Format.duration(850e-9));
        assertEquals("12.3 µs", Format.duration(12.3e-6));
        assertEquals("4.56 ms", Format.duration(0.004561));
        assertEquals("1 s", Format.duration(0.9999));
        assertEquals("1.23 s", Format.duration(1.234));
        assertEquals("59.5 s", Format.duration(59.5));
        assertEquals("2 min 05 s", Format.duration(125));
        assertEquals("1 h 02 min", Format.duration(3720));
        assertEquals("0 s", Format.duration(0));
        assertThrows(IllegalArgumentException.class, () -> Format.duration(Double.NaN));
    }

    @Test
    void percentagesFromFractions() {
        assertEquals("98.1%", Format.percent(0.9812));
        assertEquals("98.12%", Format.percent(0.98123, 2));
        assertEquals("0.14%", Format.percent(0.0014, 2));
        assertEquals("150%", Format.percent(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Format.percent(0.5, -1));
    }

    @Test
    void aColumnGetsOneFormat() {
        // whole numbers: separators
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[]{"712,326", "3"}, Format.column(new double[]{712326, 3}));
        // median of |0.5|, |0.0123|, |2.25| is 0.5 -> exponent -1 -> 4 decimals for all
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[]{"0.5000", "0.0123", "2.2500"},
                Format.column(new double[]{0.5, 0.0123, 2.25}));
        // 150.25 and 1234.5: median 150.25 -> 1 decimal
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[]{"150.2", "1,234.5"}, Format.column(new double[]{150.25, 1234.5}));
        // a span of 1e4 or more: scientific everywhere, 3 digits
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[]{"2.06e-9", "6.93e-1", "0"},
                Format.column(new double[]{2.061e-9, 0.6931, 0}));

        assertEquals("1.5", Format.column(new double[]{Double.NaN, 1.5})[1]);
        assertEquals("NaN", Format.column(new double[]{Double.NaN, 1.5})[0]);
        // data given to one decimal keeps one decimal, not 4 significant digits
        org.junit.jupiter.api.Assertions.assertArrayEquals(new String[]{"5.1", "0.2", "4.0"}, Format.column(new double[]{5.1, 0.2, 4.0}));
        assertEquals("1,234.50", Format.fixed(1234.5, 2));
        assertEquals("1.08e12", Format.scientific(1.077e12, 3));
        assertEquals("-7.12e5", Format.scientific(-712326, 3));
    }
}
