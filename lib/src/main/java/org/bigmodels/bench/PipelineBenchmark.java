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
 * (lesson 08). Measured side by side in one run, variants alternated, median step time of the repeats: steps/s,
 * speed-up over naive, measured bubble against (p-1)/(m+p-1) (the interleaved formula for v = 2), and peak
 * activation bytes per stage. Options: {@code --repeats N} (default 7), {@code --micro-batches M} (default 8).
 * Run with one BLAS thread per worker (OMP_NUM_THREADS=1) for a fair 2-core comparison.
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {}

    public static void main(String[] args) {
        int repeats = 7, m = 8, p = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--micro-batches" -> m = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("PipelineBenchmark: unknown option " + args[i]
                        + "; expected --repeats N or --micro-batches M");
            }
        }
        GPTConfig cfg = new GPTConfig(65, 32, 4, 4, 96, 0.0, DataType.FLOAT, 1);
        int batch = 2 * m, t = 32;
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
        double[][] secs = new double[schedules.size()][repeats];
        PipelineResult[] last = new PipelineResult[schedules.size()];
        for (int k = 0; k < schedules.size(); k++) runners.get(k).step(x, y, m);  // warm-up
        for (int rep = 0; rep < repeats; rep++) {
            for (int k = 0; k < schedules.size(); k++) {
                long t0 = System.nanoTime();
                last[k] = runners.get(k).step(x, y, m);
                secs[k][rep] = (System.nanoTime() - t0) / 1e9;
            }
        }
        System.out.printf(Locale.ROOT, "pipeline on %d stage threads, GPT %d layers width %d, batch %d x %d tokens, "
                + "m = %d micro-batches, %d repeats (median)%n", p, cfg.nLayer(), cfg.nEmbd(), batch, t, m, repeats);
        System.out.printf(Locale.ROOT, "%-24s %9s %9s %10s %10s %10s %18s%n", "schedule", "steps/s", "vs naive",
                "bubble", "formula", "simulated", "peak act. bytes");
        double naive = median(secs[0]);
        for (int k = 0; k < schedules.size(); k++) {
            PipelineSchedule s = schedules.get(k);
            double med = median(secs[k]);
            double formula = k == 0 ? (p - 1.0) / p : ScheduleSimulation.interleavedBubbleFormula(p, m, s.chunks());
            System.out.printf(Locale.ROOT, "%-24s %9.2f %8.2fx %10.3f %10.3f %10.3f %18s%n", s.name(), 1 / med,
                    naive / med, last[k].bubble(), formula, ScheduleSimulation.of(s, p, m).bubble(),
                    Arrays.toString(last[k].peakActivationBytes()));
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
