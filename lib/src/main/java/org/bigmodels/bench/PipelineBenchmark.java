package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.SGD;
import org.bigmodels.pipeline.GPipeSchedule;
import org.bigmodels.pipeline.InterleavedSchedule;
import org.bigmodels.pipeline.NaiveSchedule;
import org.bigmodels.pipeline.OneFOneBSchedule;
import org.bigmodels.pipeline.PipelineResult;
import org.bigmodels.pipeline.PipelineRunner;
import org.bigmodels.pipeline.PipelineSchedule;
import org.bigmodels.pipeline.ScheduleSimulation;
import org.bigmodels.pipeline.StagedModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Naive model parallelism vs GPipe vs 1F1B vs interleaved 1F1B on 2 stage threads, training a small GPT
 * (lesson 08). Measured side by side in one run, variants alternated: median step time of the repeats, steps/s,
 * speed-up over naive and over GPipe, the measured bubble (median over the repeats) against the formula
 * (p-1)/(m+p-1) (the interleaved one for v = 2, (p-1)/p for naive) with their difference and ratio, and peak
 * activation bytes per stage. "replayed" is the bubble of the schedule simulated with the passes' measured times and
 * free messages ({@link ScheduleSimulation#replay}): bubble − replayed is the cost of the hand-offs, replayed −
 * formula that of unequal or variable pass times (stage imbalance, other work on the cores). "cpu-repl" replays with
 * each pass's thread CPU time ({@link ScheduleSimulation#replayCpu}: a core per stage), so replayed − cpu-repl is what
 * waiting for a core cost; "core" is the share of a core the passes had (CPU / wall time, median). Options: {@code --repeats N} (default 7), {@code --micro-batches M} (default 8),
 * {@code --width C} (default 128), {@code --batch B} (sequences per step, default 4·M: 4 sequences of 32 tokens per
 * micro-batch, so that a pass lasts milliseconds and the fixed cost of a hand-off is a small share of it).
 * Run with one BLAS thread per worker (OMP_NUM_THREADS=1) for a fair 2-core comparison.
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {}

    public static void main(String[] args) {
        int repeats = 7, m = 8, p = 2, width = 128, batch = -1;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("PipelineBenchmark: option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--micro-batches" -> m = Integer.parseInt(args[i + 1]);
                case "--width" -> width = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("PipelineBenchmark: unknown option " + args[i]
                        + "; expected --repeats N, --micro-batches M, --width C or --batch B");
            }
        }
        if (batch < 0) batch = 4 * m;
        GPTConfig cfg = new GPTConfig(65, 32, 4, 4, width, 0.0, DataType.FLOAT, 1);
        int t = 32;
        Random r = new Random(1);
        int[][] ids = new int[batch][t], tg = new int[batch][t];
        for (int i = 0; i < batch; i++) for (int j = 0; j < t; j++) {
            ids[i][j] = r.nextInt(65);
            tg[i][j] = r.nextInt(65);
        }
        INDArray x = Nd4j.createFromArray(ids), y = Nd4j.createFromArray(tg);
        List<PipelineSchedule> schedules = List.of(new NaiveSchedule(), new GPipeSchedule(), new OneFOneBSchedule(),
                new InterleavedSchedule(2));
        List<PipelineRunner> runners = new ArrayList<>();
        for (PipelineSchedule s : schedules) {
            StagedModel model = StagedModel.of(new GPT(cfg));
            runners.add(new PipelineRunner(model, p, s).optimizer(ps -> new SGD(ps, 0.01)));
        }
        double[][] secs = new double[schedules.size()][repeats], bubbles = new double[schedules.size()][repeats];
        double[][] replays = new double[schedules.size()][repeats], cpuReplays = new double[schedules.size()][repeats];
        double[][] shares = new double[schedules.size()][repeats];
        PipelineResult[] last = new PipelineResult[schedules.size()];
        for (int k = 0; k < schedules.size(); k++) runners.get(k).step(x, y, m);  // warm-up
        for (int rep = 0; rep < repeats; rep++) {
            for (int k = 0; k < schedules.size(); k++) {
                long t0 = System.nanoTime();
                last[k] = runners.get(k).step(x, y, m);
                secs[k][rep] = (System.nanoTime() - t0) / 1e9;
                bubbles[k][rep] = last[k].bubble();
                replays[k][rep] = ScheduleSimulation.replay(schedules.get(k), p, m, last[k]).bubble();
                cpuReplays[k][rep] = ScheduleSimulation.replayCpu(schedules.get(k), p, m, last[k]).bubble();
                shares[k][rep] = last[k].coreShare();
            }
        }
        System.out.printf(Locale.ROOT, "pipeline on %d stage threads, GPT %d layers width %d, batch %d x %d tokens, "
                + "m = %d micro-batches, %d repeats (medians)%n", p, cfg.nLayer(), cfg.nEmbd(), batch, t, m, repeats);
        System.out.printf(Locale.ROOT, "%-24s %8s %9s %9s %9s %9s %9s %9s %9s %9s %6s %18s%n", "schedule", "step ms",
                "vs naive", "vs GPipe", "bubble", "formula", "diff", "ratio", "replayed", "cpu-repl", "core", "peak act. bytes");
        double naive = median(secs[0]), gpipe = median(secs[1]);
        for (int k = 0; k < schedules.size(); k++) {
            PipelineSchedule s = schedules.get(k);
            double med = median(secs[k]), bubble = median(bubbles[k]);
            double formula = k == 0 ? (p - 1.0) / p : ScheduleSimulation.interleavedBubbleFormula(p, m, s.chunks());
            System.out.printf(Locale.ROOT, "%-24s %8.1f %8.2fx %8.2fx %9.3f %9.3f %+9.3f %8.2fx %9.3f %9.3f %5.0f%% %18s%n",
                    s.name(), med * 1e3, naive / med, gpipe / med, bubble, formula, bubble - formula, bubble / formula,
                    median(replays[k]), median(cpuReplays[k]), 100 * median(shares[k]),
                    Arrays.toString(last[k].peakActivationBytes()));
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
