package org.bigmodels.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.distill.DistillationExperiment;
import org.bigmodels.distill.DistillationLoss;
import org.bigmodels.distill.DistillationModels;
import org.bigmodels.distill.TeacherOutputs;
import org.bigmodels.nn.Sequential;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hinton et al. 2015 §3 on MNIST, the full setting: a 2×1200 teacher with dropout (input 0.2, hidden 0.5), a 2×800
 * student trained alone vs distilled at T = 20 over 3 seeds (test errors, mean ± std), a temperature sweep of the
 * 2×800 student, and a 2×30 student alone vs distilled at several T. Prints the tables. The teacher's logits are
 * cached under build/distill/ (keyed by its settings, checksummed).
 *
 * <p>Arguments (all optional, key=value): train=60000 teacherEpochs=20 epochs=20 seeds=3 alpha=0.9
 * sweep=1,2,4,8,20 small=1,2.5,4,8,20 lr=1e-3 alphas=0.5,1. Run with one BLAS thread: {@code OMP_NUM_THREADS=1 nice java ...
 * org.bigmodels.bench.DistillationBenchmark}.
 */
public final class DistillationBenchmark {
    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>(Map.of("train", "60000", "teacherEpochs", "20", "epochs", "20",
                "seeds", "3", "alpha", "0.9", "sweep", "1,2,4,8,20", "small", "1,2.5,4,8,20", "lr", "1e-3", "alphas", "0.5,1"));
        for (String s : args) {
            String[] kv = s.split("=", 2);
            if (kv.length != 2 || !a.containsKey(kv[0])) throw new IllegalArgumentException("unknown argument " + s + "; known: " + a.keySet());
            a.put(kv[0], kv[1]);
        }
        System.out.println("DistillationBenchmark " + a);
        int n = Integer.parseInt(a.get("train")), te = Integer.parseInt(a.get("teacherEpochs")),
                ep = Integer.parseInt(a.get("epochs")), seeds = Integer.parseInt(a.get("seeds"));
        double alpha = Double.parseDouble(a.get("alpha")), lr = Double.parseDouble(a.get("lr"));
        Split tr = Mnist.train(), ts = Mnist.test();
        INDArray x = tr.features().get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup('c');
        INDArray y = tr.labels().get(NDArrayIndex.interval(0, n)).dup();
        INDArray xt = ts.features();
        int[] yt = ts.labelArray();
        int batch = 128;

        Sequential teacher = DistillationModels.mlp(new long[] {784, 1200, 1200, 10}, 0.2, 0.5, 100);
        double tTeacher = DistillationExperiment.train(teacher, x, y, te, batch, lr, 100,
                DistillationExperiment.crossEntropy(teacher), false);
        int teacherErrors = DistillationExperiment.testErrors(teacher, xt, yt);
        INDArray z = TeacherOutputs.cached(Path.of("build/distill/teacher-2x1200-n" + n + "-e" + te + ".bin"),
                "2x1200 dropout seed100 lr" + lr + " epochs" + te, DistillationExperiment.logitsOf(teacher), x, 2000);
        INDArray packed = DistillationLoss.packTargets(y, z);
        System.out.printf("teacher 2x1200 (dropout 0.2/0.5), %d epochs on %d examples: %d test errors (%.0f s)%n",
                te, n, teacherErrors, tTeacher);

        long[] s800 = {784, 800, 800, 10}, s30 = {784, 30, 30, 10};
        List<Integer> alone = new ArrayList<>(), distilled = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            alone.add(student(s800, s, x, y, null, ep, lr, xt, yt));
            distilled.add(student(s800, s, x, packed, new DistillationLoss(20, alpha), ep, lr, xt, yt));
            System.out.printf("seed %d: 2x800 alone %d, distilled (T=20, alpha=%.2f) %d test errors%n", s,
                    alone.get(s), alpha, distilled.get(s));
        }
        System.out.println();
        System.out.println("| model | test errors per seed | mean ± std |");
        System.out.println("|---|---|---|");
        System.out.printf("| teacher 2x1200 dropout | %d | %d |%n", teacherErrors, teacherErrors);
        System.out.printf("| student 2x800 alone | %s | %s |%n", alone, meanStd(alone));
        System.out.printf("| student 2x800 distilled T=20 | %s | %s |%n", distilled, meanStd(distilled));
        double gap = mean(alone) - mean(distilled), spread = Math.max(std(alone), std(distilled));
        System.out.printf("gap %.1f errors, largest std %.1f: the gap is %s the spread%n", gap, spread,
                gap > spread ? "larger than" : "NOT larger than");

        System.out.println("\ntemperature sweep, 2x800, seed 0 (alpha " + alpha + "):");
        for (String t : a.get("sweep").split(",")) {
            double temp = Double.parseDouble(t);
            int errors = temp == 20 ? distilled.get(0) : student(s800, 0, x, packed, new DistillationLoss(temp, alpha), ep, lr, xt, yt);
            System.out.printf("  T=%-5s %d test errors%n", t, errors);
        }
        System.out.println("\nalpha sweep, 2x800, seed 0, T=20 (alpha " + alpha + ": " + distilled.get(0) + "; alone: " + alone.get(0) + "):");
        for (String al : a.get("alphas").split(",")) {
            if (al.isBlank()) continue;
            System.out.printf("  alpha=%-5s %d test errors%n", al, student(s800, 0, x, packed,
                    new DistillationLoss(20, Double.parseDouble(al)), ep, lr, xt, yt));
        }
        System.out.println("\n2x30 student, seed 0: alone " + student(s30, 0, x, y, null, ep, lr, xt, yt) + " test errors");
        for (String t : a.get("small").split(",")) {
            double temp = Double.parseDouble(t);
            System.out.printf("  distilled T=%-5s %d test errors%n", t, student(s30, 0, x, packed, new DistillationLoss(temp, alpha), ep, lr, xt, yt));
        }
    }

    static int student(long[] sizes, long seed, INDArray x, INDArray y, DistillationLoss kd, int epochs, double lr,
                       INDArray xt, int[] yt) {
        Sequential m = DistillationModels.mlp(sizes, 0, 0, seed);
        DistillationExperiment.train(m, x, y, epochs, 128, lr, seed,
                kd == null ? DistillationExperiment.crossEntropy(m) : DistillationExperiment.distillation(m, kd), false);
        return DistillationExperiment.testErrors(m, xt, yt);
    }

    static double mean(List<Integer> v) {
        return v.stream().mapToDouble(i -> i).average().orElse(Double.NaN);
    }

    static double std(List<Integer> v) {
        double m = mean(v), s = 0;
        for (int i : v) s += (i - m) * (i - m);
        return v.size() > 1 ? Math.sqrt(s / (v.size() - 1)) : 0;
    }

    static String meanStd(List<Integer> v) {
        return String.format("%.1f ± %.1f", mean(v), std(v));
    }
}
