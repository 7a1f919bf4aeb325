package org.bigmodels.display;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Gantt chart drawn with Java2D (XChart has none): one lane per worker or stage, one coloured bar per
 * busy interval, a time axis with round ticks. Bars whose labels start with the same letters
 * ({@code F3}, {@code F7}) share a colour, so forward and backward passes stand apart.
 * Notebook: 00-welcome (schedules from 08-pipeline-parallel on).
 */
final class Timeline {

    static final int WIDTH = 900;
    private static final int LANE_H = 30;
    private static final int TOP = 40;
    private static final int BOTTOM = 52;
    private static final int RIGHT = 24;
    private static final Font TITLE = XChartFonts.TITLE;
    private static final Font TEXT = XChartFonts.TEXT;
    private static final Color[] PALETTE = {
            new Color(0x4C78A8), new Color(0xF58518), new Color(0x54A24B), new Color(0xE45756),
            new Color(0x72B7B2), new Color(0xB279A2), new Color(0xFF9DA6), new Color(0x9D755D)};

    private Timeline() {
    }

    static int height(int lanes) {
        return TOP + lanes * LANE_H + BOTTOM;
    }

    static BufferedImage draw(String title, String xLabel, List<Bar> bars) {
        List<String> lanes = new ArrayList<>();
        Map<String, Color> colours = new LinkedHashMap<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Bar bar : bars) {
            if (!lanes.contains(bar.lane())) {
                lanes.add(bar.lane());
            }
            colours.computeIfAbsent(kind(bar.label()), k -> PALETTE[colours.size() % PALETTE.length]);
            min = Math.min(min, bar.start());
            max = Math.max(max, bar.end());
        }
        min = Math.min(0, min);
        if (max <= min) {
            max = min + 1;
        }
        double step = niceStep((max - min) / 8);

        int height = height(lanes.size());
        BufferedImage out = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setFont(TEXT);
            FontMetrics fm = g.getFontMetrics();
            int left = 16 + lanes.stream().mapToInt(fm::stringWidth).max().orElse(0);
            int plotW = WIDTH - left - RIGHT;
            int plotBottom = TOP + lanes.size() * LANE_H;
            double scale = plotW / (max - min);

            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            FontMetrics tm = g.getFontMetrics();
            g.drawString(title, Math.max(8, (WIDTH - tm.stringWidth(title)) / 2), 10 + tm.getAscent());
            g.setFont(TEXT);

            // grid and ticks
            for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
                int x = left + (int) Math.round((t - min) * scale);
                g.setColor(new Color(0xE0E0E0));
                g.drawLine(x, TOP, x, plotBottom);
                g.setColor(Color.BLACK);
                g.drawLine(x, plotBottom, x, plotBottom + 4);
                String tick = format(t, step);
                g.drawString(tick, x - fm.stringWidth(tick) / 2, plotBottom + 6 + fm.getAscent());
            }
            g.drawLine(left, plotBottom, left + plotW, plotBottom);
            g.drawString(xLabel, left + (plotW - fm.stringWidth(xLabel)) / 2, plotBottom + 26 + fm.getAscent());

            // lanes
            for (int i = 0; i < lanes.size(); i++) {
                int y = TOP + i * LANE_H;
                g.setColor(Color.BLACK);
                g.drawString(lanes.get(i), left - 8 - fm.stringWidth(lanes.get(i)), y + (LANE_H + fm.getAscent()) / 2 - 2);
            }
            // bars
            g.setStroke(new BasicStroke(1f));
            for (Bar bar : bars) {
                int lane = lanes.indexOf(bar.lane());
                int x0 = left + (int) Math.round((bar.start() - min) * scale);
                int x1 = left + (int) Math.round((bar.end() - min) * scale);
                int y = TOP + lane * LANE_H + 4;
                int w = Math.max(1, x1 - x0);
                g.setColor(colours.get(kind(bar.label())));
                g.fillRect(x0, y, w, LANE_H - 8);
                g.setColor(Color.WHITE);
                g.drawRect(x0, y, w, LANE_H - 8);
                if (!bar.label().isEmpty() && fm.stringWidth(bar.label()) + 4 <= w) {
                    g.drawString(bar.label(), x0 + (w - fm.stringWidth(bar.label())) / 2, y + (LANE_H - 8 + fm.getAscent()) / 2 - 1);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The leading non-digit part of a label: {@code F} for {@code F12}. */
    static String kind(String label) {
        int i = 0;
        while (i < label.length() && !Character.isDigit(label.charAt(i))) {
            i++;
        }
        return label.substring(0, i).trim();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String format(double t, double step) {
        if (step >= 1) {
            return String.valueOf(Math.round(t));
        }
        return java.math.BigDecimal.valueOf(t).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
