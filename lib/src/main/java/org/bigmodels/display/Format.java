package org.bigmodels.display;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * Numbers as a reader wants to see them in tables, tick labels and printed sentences: a few significant
 * digits, thousands separators, bytes and durations in the unit that fits, percentages. The output does not
 * depend on the machine's locale: the decimal mark is {@code .}, the thousands separator {@code ,}.
 *
 * <p>Conventions, fixed for the whole course:
 * <ul>
 *   <li>Bytes use the <b>decimal SI</b> units: 1 kB = 1000 B, 1 MB = 10<sup>6</sup> B, 1 GB = 10<sup>9</sup> B
 *       (as disk and model sizes are quoted). {@code bytes(1_600_000)} is {@code "1.6 MB"}, never 0.0015 GiB.</li>
 *   <li>Values below 10<sup>-3</sup> or from 10<sup>9</sup> up, in magnitude, are written in scientific notation
 *       without padding: {@code 3e-4}, {@code 1.25e9}; everything else in plain notation.</li>
 *   <li>{@code NaN} prints as {@code NaN}, infinities as {@code ∞} and {@code -∞}.</li>
 * </ul>
 * Notebooks: every lesson's tables and sentences, from 00-welcome on.
 */
public final class Format {

    /** Significant digits of {@link #number(double)}. */
    public static final int DIGITS = 3;
    /** Significant digits of {@link #tick(double)}: enough that a round tick never loses a digit. */
    public static final int TICK_DIGITS = 6;

    private static final DecimalFormatSymbols SYMBOLS = DecimalFormatSymbols.getInstance(Locale.ROOT);

    private Format() {
    }

    /**
     * {@code x} with {@code digits} significant digits, like C's {@code %.4g}: significant trailing zeros are kept
     * ({@code sig(Math.log(10), 4)} is {@code "2.303"}, {@code sig(2.3, 4)} is {@code "2.300"}), except that a
     * value that is exactly a whole number prints without decimals ({@code sig(6.0, 6)} is {@code "6"}). Digits left
     * of the decimal point are never rounded away ({@code sig(12345.678, 3)} is {@code "12,346"}); thousands
     * separators. Scientific notation below 1e-3 and from 1e9 on, the mantissa keeping {@code digits} digits:
     * {@code sig(0.000312, 2)} is {@code "3.1e-4"}, {@code sig(1e-4, 3)} is {@code "1.00e-4"}.
     *
     * @throws IllegalArgumentException if {@code digits < 1}
     */
    public static String sig(double x, int digits) {
        return sig(x, digits, false);
    }

    /** {@link #sig} without trailing zeros ({@code "2.3"}), for tick labels, byte counts and durations. */
    static String sigStripped(double x, int digits) {
        return sig(x, digits, true);
    }

    private static String sig(double x, int digits, boolean strip) {
        if (digits < 1) {
            throw new IllegalArgumentException("Format.sig: digits must be at least 1, got " + digits);
        }
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "∞" : "-∞";
        }
        if (x == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(x).round(new MathContext(digits, RoundingMode.HALF_EVEN));
        double r = Math.abs(rounded.doubleValue());
        if (r < 1e-3 || r >= 1e9) {
            return scientific(strip ? rounded.stripTrailingZeros() : rounded);
        }
        if (x == Math.rint(x)) {
            return integer((long) x);
        }
        // decimals so that `digits` digits are significant, but never fewer than 0 (integer digits are kept)
        int exponent = rounded.precision() - rounded.scale() - 1;
        int decimals = Math.max(0, digits - 1 - exponent);
        rounded = new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN);
        if (strip) {
            rounded = rounded.stripTrailingZeros();
        }
        return fixed(rounded, Math.max(0, rounded.scale()));
    }

    /**
     * {@code x} with exactly {@code decimals} decimals and thousands separators: {@code fixed(1234.5, 2)} is
     * {@code "1,234.50"}. NaN and infinities as in {@link #sig}.
     *
     * @throws IllegalArgumentException if {@code decimals} is negative
     */
    public static String fixed(double x, int decimals) {
        if (decimals < 0) {
            throw new IllegalArgumentException("Format.fixed: decimals must be 0 or more, got " + decimals);
        }
        if (!Double.isFinite(x)) {
            return sig(x, 1);
        }
        return fixed(new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN), decimals);
    }

    private static String fixed(BigDecimal v, int decimals) {
        DecimalFormat f = new DecimalFormat(decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals), SYMBOLS);
        f.setRoundingMode(RoundingMode.HALF_EVEN);
        return f.format(v);
    }

    /**
     * {@code x} in scientific notation with {@code digits} significant digits in the mantissa, zeros kept:
     * {@code scientific(1.077e12, 3)} is {@code "1.08e12"}, {@code scientific(712326, 3)} is {@code "7.12e5"}.
     *
     * @throws IllegalArgumentException if {@code digits < 1}
     */
    public static String scientific(double x, int digits) {
        if (digits < 1) {
            throw new IllegalArgumentException("Format.scientific: digits must be at least 1, got " + digits);
        }
        if (!Double.isFinite(x)) {
            return sig(x, 1);
        }
        if (x == 0) {
            return "0";
        }
        return scientific(new BigDecimal(x).round(new MathContext(digits, RoundingMode.HALF_EVEN)));
    }

    /** Significant digits of the typical value of a fixed-decimal column in {@link #column}. */
    public static final int COLUMN_DIGITS = 4;
    /** Largest ratio of largest to smallest non-zero magnitude that {@link #column} writes with fixed decimals. */
    public static final double COLUMN_SPAN = 1e4;

    /**
     * One format for a whole column of numbers (a table column, the cells of a heat map), so the cells line up and
     * compare at a glance:
     * <ul>
     *   <li>every finite value a whole number below 10<sup>9</sup>: integers with thousands separators
     *       ({@code 1,234,567});</li>
     *   <li>the largest magnitude from 10<sup>9</sup> up or below 10<sup>-3</sup>, or the non-zero magnitudes
     *       spanning {@link #COLUMN_SPAN} or more: scientific with 3 significant digits for every cell
     *       ({@code 7.12e5}, {@code 1.08e12});</li>
     *   <li>otherwise the same number of decimals in every cell, chosen so that the column's median non-zero
     *       magnitude gets {@link #COLUMN_DIGITS} significant digits ({@code 0.8270}, {@code 0.8271};
     *       {@code 9.90}, {@code 22.81}), but no more decimals than the shortest exact writing of any value needs
     *       (measurements 5.1 and 0.2 stay {@code 5.1}, {@code 0.2}).</li>
     * </ul>
     * NaN and infinities as in {@link #sig}.
     *
     * @return one string per value, in order
     */
    public static String[] column(double[] values) {
        return column(values, COLUMN_DIGITS);
    }

    /**
     * {@link #column(double[])} with {@code digits} significant digits for the typical value of a fixed-decimal
     * column (e.g. 3 for the cells of a heat map).
     *
     * @throws IllegalArgumentException if {@code digits < 1}
     */
    public static String[] column(double[] values, int digits) {
        if (digits < 1) {
            throw new IllegalArgumentException("Format.column: digits must be at least 1, got " + digits);
        }
        String[] out = new String[values.length];
        double[] magnitudes = java.util.Arrays.stream(values).filter(v -> Double.isFinite(v) && v != 0)
                .map(Math::abs).sorted().toArray();
        boolean whole = java.util.Arrays.stream(values).filter(Double::isFinite).allMatch(v -> v == Math.rint(v));
        double max = magnitudes.length == 0 ? 0 : magnitudes[magnitudes.length - 1];
        double min = magnitudes.length == 0 ? 0 : magnitudes[0];
        boolean sci = max >= 1e9 || (max > 0 && max < 1e-3) || (max > 0 && max / min >= COLUMN_SPAN && !whole);
        int decimals = 0;
        if (!sci && !whole && magnitudes.length > 0) {
            double typical = magnitudes[(magnitudes.length - 1) / 2];
            int exponent = (int) Math.floor(Math.log10(typical));
            decimals = Math.max(0, Math.min(8, digits - 1 - exponent));
            // no zeros the data does not have: measurements given to 1 decimal (5.1 cm) stay at 1 decimal
            int needed = 0;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    needed = Math.max(needed, new BigDecimal(Double.toString(v)).stripTrailingZeros().scale());
                }
            }
            decimals = Math.min(decimals, needed);
        }
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                out[i] = sig(v, 1);
            } else if (sci) {
                out[i] = scientific(v, 3);
            } else if (whole) {
                out[i] = integer((long) v);
            } else {
                out[i] = fixed(v, decimals);
            }
        }
        return out;
    }

    /** {@code x} with {@link #DIGITS} significant digits: {@code number(0.123456)} is {@code "0.123"}. */
    public static String number(double x) {
        return sig(x, DIGITS);
    }

    /**
     * A tick label: {@link #TICK_DIGITS} significant digits, so the rounding noise of a tick such as
     * 0.30000000000000004 disappears ({@code "0.3"}) while round ticks keep all their digits; a learning rate 3e-4
     * reads {@code "3e-4"}. The default of every chart made by {@link Plots}.
     */
    public static String tick(double x) {
        return sigStripped(x, TICK_DIGITS);
    }

    /** A whole number with thousands separators: {@code integer(1234567)} is {@code "1,234,567"}. */
    public static String integer(long n) {
        return new DecimalFormat("#,##0", SYMBOLS).format(n);
    }

    /**
     * A byte count in the decimal SI unit that keeps the number between 1 and 1000 (B, kB, MB, GB, TB, PB), three
     * significant digits: {@code bytes(1_600_000)} is {@code "1.6 MB"}, {@code bytes(512)} is {@code "512 B"},
     * {@code bytes(1536)} is {@code "1.54 kB"}.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative or not finite
     */
    public static String bytes(double bytes) {
        if (!Double.isFinite(bytes) || bytes < 0) {
            throw new IllegalArgumentException("Format.bytes: expected a finite, non-negative byte count, got " + bytes);
        }
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        double v = bytes;
        // the unit is chosen after rounding, so 999,999 B reads "1 MB", not "1,000 kB"
        while (u < units.length - 1 && roundSig(v, DIGITS) >= 1000) {
            v /= 1000;
            u++;
        }
        return (u == 0 ? integer(Math.round(v)) : sigStripped(v, DIGITS)) + " " + units[u];
    }

    /**
     * A duration in the unit that fits: {@code "850 ns"}, {@code "12.3 µs"}, {@code "4.56 ms"}, {@code "1.23 s"}
     * (three significant digits below a minute), then {@code "2 min 05 s"} and {@code "1 h 02 min"}.
     *
     * @param seconds the duration in seconds
     * @throws IllegalArgumentException if {@code seconds} is negative or not finite
     */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            throw new IllegalArgumentException("Format.duration: expected a finite, non-negative number of seconds, got " + seconds);
        }
        if (seconds == 0) {
            return "0 s";
        }
        if (roundSig(seconds, DIGITS) < 60) {
            String[] units = {"ns", "µs", "ms", "s"};
            double[] scale = {1e-9, 1e-6, 1e-3, 1};
            int u = 0;
            while (u < units.length - 1 && roundSig(seconds / scale[u], DIGITS) >= 1000) {
                u++;
            }
            return sigStripped(seconds / scale[u], DIGITS) + " " + units[u];
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return (s / 60) + " min " + String.format(Locale.ROOT, "%02d", s % 60) + " s";
        }
        long m = Math.round(seconds / 60);
        return (m / 60) + " h " + String.format(Locale.ROOT, "%02d", m % 60) + " min";
    }

    /**
     * A fraction as a percentage with {@code decimals} decimals: {@code percent(0.98123, 2)} is {@code "98.12%"}.
     *
     * @param fraction e.g. an accuracy in [0, 1]; any finite value is accepted (1.5 is "150%")
     * @throws IllegalArgumentException if {@code decimals} is negative
     */
    public static String percent(double fraction, int decimals) {
        if (decimals < 0) {
            throw new IllegalArgumentException("Format.percent: decimals must be 0 or more, got " + decimals);
        }
        if (!Double.isFinite(fraction)) {
            return sig(fraction, 1);
        }
        BigDecimal p = new BigDecimal(fraction).movePointRight(2).setScale(decimals, RoundingMode.HALF_EVEN);
        DecimalFormat f = new DecimalFormat(decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals), SYMBOLS);
        return f.format(p) + "%";
    }

    /** A fraction as a percentage with one decimal: {@code percent(0.9812)} is {@code "98.1%"}. */
    public static String percent(double fraction) {
        return percent(fraction, 1);
    }

    private static double roundSig(double x, int digits) {
        return x == 0 ? 0 : new BigDecimal(x).round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
    }

    /** {@code 3e-4}, {@code -1.25e9}, {@code 1.00e-4}: the mantissa keeps {@code v}'s digits, exponent unpadded. */
    private static String scientific(BigDecimal v) {
        int exponent = v.precision() - v.scale() - 1;
        BigDecimal mantissa = v.movePointLeft(exponent);
        return mantissa.toPlainString() + "e" + exponent;
    }
}
