package org.bigmodels.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.distill.ConvTeacher;
import org.bigmodels.distill.DistillationExperiment;
import org.bigmodels.distill.DistillationLoss;
import org.bigmodels.distill.DistillationModels;
import org.bigmodels.distill.TeacherOutputs;
import org.bigmodels.nn.Sequential;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hinton et al. 2015 §3 on MNIST: a teacher much better than the student; a 2×800 student with NO regularisation
 * trained the same number of epochs alone (cross-entropy on the labels) and distilled (soft targets at T, weight alpha
 * on the soft term), same initial weights, batches, Adam and cosine-decayed rate, over several seeds (test errors, mean
 * ± std); then what makes the difference, one factor at a time on seed 0: the temperature, alpha, the teacher's quality
 * (a teacher trained a few epochs) and the training length; and a very small 2×30 student at several T.
 *
 * <p>Teachers ({@code teacher=}): {@code dropout}, the 2×1200 MLP with dropout 0.2/0.5
 * ({@link DistillationExperiment#teacher}); {@code jitter}, the same with inputs shifted by up to {@code shift} px and
 * max-norm {@code maxNorm} ({@link DistillationExperiment#teacherJittered}, the paper's recipe); {@code conv}, a DL4J
 * network of the Caffe/DL4J "LeNet" MNIST example's shape on shifted inputs ({@link ConvTeacher}). Each is trained
 * once: its weights are kept in {@code build/distill/} (the file name holds every setting) and its logits on the
 * training set in {@code build/distill/logits-*.bin} ({@link TeacherOutputs#cached}); a second run loads both.
 * {@code export=DIR} also writes the teacher's logits of the first {@code exportN} training images and of the test set there
 * (the files committed under datasets/distill/). Every student's test errors are kept in {@code results} (default
 * build/distill/results/, one small file per setting; a result is deterministic given its settings with one BLAS
 * thread), so parts can run in separate processes and a final run prints the tables without training again.
 *
 * <p>Arguments (key=value, or --key value with dashed names: --teacher-epochs 5; all optional): train=60000
 * teacher=dropout teacherEpochs=20 shift=2 maxNorm=0 epochs=15
 * seeds=3 seedFrom=0 T=20 (a comma list: the seeds table has one distilled row per T) alpha=0.9 lr=1e-3 students=10000
 * parts=seeds,sweep sweep=2,5 alphas=1 weakTeacherEpochs=2 shortEpochs=5 small=2.5,4,20 smallSeeds=1 export=
 * exportN=20000 aloneSizes= results=build/distill/results. The teacher always trains on the first {@code train}
 * images; the students on the first {@code students} of them (the transfer set; 0 = all, the paper's setting). parts
 * is any of seeds (the table), sweep (T, alpha, teacher quality, length, on seed 0), small (the 2×30 student),
 * alone (the 2×800 students alone, no teacher needed: run it while the teacher trains), or none (only the teacher
 * and its export).
 *
 * <p>The full-MNIST setting of lesson 16 (see datasets/distill/README.md):
 * {@code ./course bench distill teacher=conv teacherEpochs=4 shift=2 students=0 T=20,5 parts=seeds,sweep,small
 * sweep=2,5,10 alphas= weakTeacherEpochs=0 shortEpochs=0 small=1,2.5,4,20 smallSeeds=3}; its recorded output is
 * in that README. The default {@code students=10000} trains the students on the first 10,000 images, where a teacher
 * trained on all 60,000 also knows what the students' labels cannot teach them.
 *
 * <p>{@code --help} (or {@code -h}) prints the options, one line each, and returns; an unknown key or an unknown part
 * is an {@link IllegalArgumentException} naming the accepted ones.
 *
 * <p>Run with one BLAS thread: {@code ./course bench distill [key=value ...]}. Times are not given: they depend on
 * the machine's load (a 2×800 student epoch on 60,000 images is about 7 s of CPU time).
 */
public final class DistillationBenchmark {
    /** The accepted values of {@code parts=}. */
    private static final List<String> PARTS = List.of("seeds", "sweep", "small", "alone", "none");

    /** One line per option: key, meaning (the default is printed from the defaults table). */
    private static final String[][] HELP = {
        {"train", "the teacher trains on the first N MNIST training images"},
        {"teacher", "dropout (2x1200 MLP), jitter (2x1200, shifted inputs, max-norm) or conv (DL4J LeNet-example CNN)"},
        {"teacherEpochs", "the teacher's epochs"},
        {"shift", "largest input shift in pixels (jitter and conv teachers)"},
        {"maxNorm", "max-norm of each unit's incoming weights (jitter teacher; 0 = none)"},
        {"students", "the students train on the first N of the teacher's images (0 = all)"},
        {"epochs", "the students' epochs"},
        {"seeds", "number of student seeds (seeds table)"},
        {"seedFrom", "first student seed"},
        {"T", "comma list of temperatures; the seeds table has one distilled row per T"},
        {"alpha", "weight of the soft term"},
        {"lr", "Adam learning rate (cosine-decayed to lr/100)"},
        {"parts", "comma list of seeds, sweep, small, alone, none"},
        {"sweep", "comma list of temperatures for the 2x800 student on seed 0 (part sweep)"},
        {"alphas", "comma list of alphas on seed 0 (part sweep; empty = none)"},
        {"weakTeacherEpochs", "epochs of a weaker teacher on seed 0 (part sweep; 0 = none)"},
        {"shortEpochs", "a shorter student training on seed 0 (part sweep; 0 = none)"},
        {"small", "comma list of temperatures for the 2x30 student (part small)"},
        {"smallSeeds", "number of seeds of the 2x30 student"},
        {"aloneSizes", "comma list of extra hidden widths trained alone (part alone)"},
        {"export", "directory to write the teacher's logits to (empty = none)"},
        {"exportN", "number of training images whose logits are exported"},
        {"results", "directory of the kept student results (empty = none)"},
    };

    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        String[] defaults = {"train", "60000", "teacherEpochs", "20", "epochs", "15", "seeds", "3", "T", "20",
                "alpha", "0.9", "lr", "1e-3", "parts", "seeds,sweep", "sweep", "2,5", "alphas", "1",
                "weakTeacherEpochs", "2", "shortEpochs", "5", "small", "2.5,4,20", "export", "", "exportN", "20000", "students", "10000",
                "teacher", "dropout", "shift", "2", "maxNorm", "0", "smallSeeds", "1", "seedFrom", "0", "aloneSizes", "", "results", "build/distill/results"};
        for (int i = 0; i < defaults.length; i += 2) a.put(defaults[i], defaults[i + 1]);
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println("./course bench distill [key=value ...]   (Hinton et al. 2015 §3 on MNIST; all keys optional;"
                    + " --key value and --dashed-key value work too: --teacher-epochs 5)");
            for (String[] o : HELP) System.out.printf("  %-18s %s (default: %s)%n", o[0], o[1], a.get(o[0]).isEmpty() ? "empty" : a.get(o[0]));
            return;
        }
        BenchOptions.readIntoOrExit(a, args, "distill");
        System.out.println("DistillationBenchmark " + a);
        int n = Integer.parseInt(a.get("train")), te = Integer.parseInt(a.get("teacherEpochs")),
                ep = Integer.parseInt(a.get("epochs")), seeds = Integer.parseInt(a.get("seeds"));
        double alpha = Double.parseDouble(a.get("alpha")), lr = Double.parseDouble(a.get("lr"));
        List<String> parts = List.of(a.get("parts").split(","));
        for (String p : parts) {
            if (!PARTS.contains(p)) {
                throw new IllegalArgumentException("DistillationBenchmark: unknown part '" + p + "' in parts=" + a.get("parts")
                        + "; expected a comma list of " + PARTS + " (see --help)");
            }
        }
        Split tr = Mnist.train(), ts = Mnist.test();
        INDArray x = tr.features().get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup('c');
        INDArray y = tr.labels().get(NDArrayIndex.interval(0, n)).dup();
        INDArray xt = ts.features();
        int[] yt = ts.labelArray();
        Path dir = Path.of("build", "distill");

        long t0 = System.nanoTime();
        results = a.get("results").isEmpty() ? null : Path.of(a.get("results"));
        int seedFrom = Integer.parseInt(a.get("seedFrom"));
        long[] s800 = {784, 800, 800, 10}, s30 = {784, 30, 30, 10};
        if (parts.equals(List.of("alone"))) {   // students alone need no teacher: run them while it trains
            int ns = Integer.parseInt(a.get("students"));
            if (ns > 0 && ns < n) {
                x = x.get(NDArrayIndex.interval(0, ns), NDArrayIndex.all()).dup('c');
                y = y.get(NDArrayIndex.interval(0, ns)).dup();
            }
            for (int s = seedFrom; s < seedFrom + seeds; s++) {
                System.out.printf("seed %d: 2x800 alone %d test errors%n", s, student(s800, s, x, y, null, ep, lr, xt, yt));
            }
            for (String sz : a.get("aloneSizes").split(",")) {
                if (sz.isBlank()) continue;
                long h = Long.parseLong(sz);
                for (int s = seedFrom; s < seedFrom + seeds; s++) {
                    System.out.printf("seed %d: 2x%d alone %d test errors%n", s, h, student(new long[] {784, h, h, 10}, s, x, y, null, ep, lr, xt, yt));
                }
            }
            System.out.printf("total %.0f s%n", (System.nanoTime() - t0) / 1e9);
            return;
        }
        boolean jitter = a.get("teacher").equals("jitter"), conv = a.get("teacher").equals("conv");
        if (!jitter && !conv && !a.get("teacher").equals("dropout")) {
            throw new IllegalArgumentException("DistillationBenchmark: teacher must be dropout, jitter or conv, got " + a.get("teacher"));
        }
        Teacher teacher = jitter
                ? jitteredTeacher(dir, n, te, lr, Integer.parseInt(a.get("shift")), Double.parseDouble(a.get("maxNorm")), x, y, xt, yt)
                : conv ? convTeacher(dir, n, te, lr, Integer.parseInt(a.get("shift")), x, y, xt, yt)
                : teacher(dir, n, te, lr, x, y, xt, yt);
        System.out.printf("teacher %s, %d epochs on %d images: %d test errors (%.0f s, %s)%n",
                jitter ? "2x1200 (dropout 0.2/0.5, inputs shifted by up to " + a.get("shift") + " px, max-norm " + a.get("maxNorm") + ")"
                        : conv ? "DL4J LeNet-example CNN (inputs shifted by up to " + a.get("shift") + " px)" : "2x1200 (dropout 0.2/0.5)",
                te, n, teacher.errors, (System.nanoTime() - t0) / 1e9, teacher.name);
        if (!a.get("export").isEmpty()) export(Path.of(a.get("export")), jitter ? "teacher-jitter-" : conv ? "teacher-conv-" : "teacher-", teacher, x, xt, Integer.parseInt(a.get("exportN")));

        INDArray xAll = x, yAll = y;
        int ns = Integer.parseInt(a.get("students"));
        if (ns > 0 && ns < n) {
            x = x.get(NDArrayIndex.interval(0, ns), NDArrayIndex.all()).dup('c');
            y = y.get(NDArrayIndex.interval(0, ns)).dup();
            teacher = new Teacher(teacher.name, teacher.logits, teacher.errors,
                    teacher.packed.get(NDArrayIndex.interval(0, ns), NDArrayIndex.all()).dup('c'));
            System.out.println("students train on the first " + ns + " images (the teacher saw " + n + ")");
        }
        teacherKey = teacher.name;
        String[] seedTs = a.get("T").split(",");
        double temp = Double.parseDouble(seedTs[0]);
        DistillationLoss kd = new DistillationLoss(temp, alpha);
        List<Integer> alone = new ArrayList<>(), distilled = new ArrayList<>();
        List<List<Integer>> byT = new ArrayList<>();
        for (String t : seedTs) byT.add(new ArrayList<>());
        if (parts.contains("seeds")) {
            for (int s = seedFrom; s < seedFrom + seeds; s++) {
                long t1 = System.nanoTime();
                int i = s - seedFrom;
                alone.add(student(s800, s, x, y, null, ep, lr, xt, yt));
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < seedTs.length; k++) {
                    DistillationLoss l = new DistillationLoss(Double.parseDouble(seedTs[k]), alpha);
                    byT.get(k).add(student(s800, s, x, teacher.packed, l, ep, lr, xt, yt));
                    line.append(", distilled (").append(l).append(") ").append(byT.get(k).get(i));
                }
                distilled.add(byT.get(0).get(i));
                System.out.printf("seed %d: 2x800 alone %d%s test errors (%.0f s)%n", s, alone.get(i), line, (System.nanoTime() - t1) / 1e9);
            }
            System.out.printf("%n| model (students: %d training images, %d epochs) | test errors per seed | mean ± std |%n|---|---|---|%n", x.size(0), ep);
            System.out.printf("| teacher %s | %d | %d |%n", teacher.name, teacher.errors, teacher.errors);
            System.out.printf("| student 2x800 alone | %s | %s |%n", alone, meanStd(alone));
            for (int k = 0; k < seedTs.length; k++) {
                List<Integer> d = byT.get(k);
                System.out.printf("| student 2x800 distilled, T = %s, alpha = %s | %s | %s |%n", seedTs[k], a.get("alpha"), d, meanStd(d));
            }
            for (int k = 0; k < seedTs.length; k++) {
                List<Integer> d = byT.get(k);
                double gap = mean(alone) - mean(d), spread = Math.max(std(alone), std(d));
                System.out.printf("T = %s: gap %.1f errors, largest std %.1f: the gap is %s the spread%n", seedTs[k], gap, spread,
                        gap > spread ? "larger than" : "NOT larger than");
            }
            System.out.println();
        }
        if (parts.contains("sweep")) {
            int base = distilled.isEmpty() ? student(s800, 0, x, teacher.packed, kd, ep, lr, xt, yt) : distilled.get(0);
            int baseAlone = alone.isEmpty() ? student(s800, 0, x, y, null, ep, lr, xt, yt) : alone.get(0);
            System.out.println("| factor (2x800, seed 0; baseline " + kd + ", " + ep + " epochs) | setting | test errors |\n|---|---|---|");
            System.out.printf("| baseline | alone | %d |%n| baseline | distilled %s | %d |%n", baseAlone, kd, base);
            for (String t : a.get("sweep").split(",")) {
                if (t.isBlank()) continue;
                System.out.printf("| temperature | T = %s | %d |%n", t, student(s800, 0, x, teacher.packed,
                        new DistillationLoss(Double.parseDouble(t), alpha), ep, lr, xt, yt));
            }
            for (String al : a.get("alphas").split(",")) {
                if (al.isBlank()) continue;
                System.out.printf("| alpha | alpha = %s | %d |%n", al, student(s800, 0, x, teacher.packed,
                        new DistillationLoss(temp, Double.parseDouble(al)), ep, lr, xt, yt));
            }
            int we = Integer.parseInt(a.get("weakTeacherEpochs"));
            if (we > 0) {
                Teacher weak = teacher(dir, n, we, lr, xAll, yAll, xt, yt);
                INDArray weakPacked = weak.packed.get(NDArrayIndex.interval(0, x.size(0)), NDArrayIndex.all()).dup('c');
                teacherKey = weak.name;
                System.out.printf("| teacher quality | teacher of %d epochs (%d errors) | %d |%n", we, weak.errors,
                        student(s800, 0, x, weakPacked, kd, ep, lr, xt, yt));
                teacherKey = teacher.name;
            }
            int se = Integer.parseInt(a.get("shortEpochs"));
            if (se > 0) {
                System.out.printf("| training length | %d epochs, alone | %d |%n", se, student(s800, 0, x, y, null, se, lr, xt, yt));
                System.out.printf("| training length | %d epochs, distilled | %d |%n", se, student(s800, 0, x, teacher.packed, kd, se, lr, xt, yt));
            }
            System.out.println();
        }
        if (parts.contains("small")) {
            int ss = Integer.parseInt(a.get("smallSeeds"));
            System.out.println("| 2x30 student, " + ep + " epochs, seeds 0.." + (ss - 1) + " | test errors per seed | mean ± std |\n|---|---|---|");
            List<Integer> sa = new ArrayList<>();
            for (int s = 0; s < ss; s++) sa.add(student(s30, s, x, y, null, ep, lr, xt, yt));
            System.out.printf("| alone | %s | %s |%n", sa, meanStd(sa));
            for (String t : a.get("small").split(",")) {
                if (t.isBlank()) continue;
                List<Integer> sd = new ArrayList<>();
                for (int s = 0; s < ss; s++) sd.add(student(s30, s, x, teacher.packed, new DistillationLoss(Double.parseDouble(t), alpha), ep, lr, xt, yt));
                System.out.printf("| distilled T = %s, alpha = %s | %s | %s |%n", t, alpha, sd, meanStd(sd));
            }
            System.out.println();
        }
        System.out.printf("total %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** A trained teacher, its test errors and its training-set logits packed with the labels. */
    record Teacher(String name, java.util.function.Function<INDArray, INDArray> logits, int errors, INDArray packed) {}

    static Teacher teacher(Path dir, int n, int epochs, double lr, INDArray x, INDArray y, INDArray xt, int[] yt) {
        String name = "teacher-2x1200-d0.2-0.5-n" + n + "-e" + epochs + "-lr" + lr + "-cos-s100";
        Sequential t = DistillationExperiment.teacher(dir.resolve(name + ".ckpt"), new long[] {784, 1200, 1200, 10},
                0.2, 0.5, epochs, lr, 100, x, y, false);
        INDArray z = TeacherOutputs.cached(dir.resolve("logits-" + name + ".bin"), name,
                DistillationExperiment.logitsOf(t), x, 2000);
        return new Teacher(name, DistillationExperiment.logitsOf(t), DistillationExperiment.testErrors(t, xt, yt), DistillationLoss.packTargets(y, z));
    }

    static void export(Path dir, String prefix, Teacher t, INDArray x, INDArray xt, int rows) {
        INDArray head = x.get(NDArrayIndex.interval(0, Math.min(rows, x.size(0))), NDArrayIndex.all()).dup('c');
        TeacherOutputs.cached(dir.resolve(prefix + "train" + head.size(0) + ".bin"), t.name, t.logits, head, 2000);
        TeacherOutputs.cached(dir.resolve(prefix + "test.bin"), t.name, t.logits, xt, 2000);
        System.out.println("exported the teacher's logits to " + dir);
    }

    /** The DL4J {@link ConvTeacher}, trained once (kept in dir), its logits cached. */
    static Teacher convTeacher(Path dir, int n, int epochs, double lr, int shift, INDArray x, INDArray y, INDArray xt, int[] yt) {
        String name = ConvTeacher.name(n, epochs, lr, shift);
        long t0 = System.nanoTime();
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = ConvTeacher.trained(dir.resolve(name + ".zip"), epochs, lr, shift, 100, x, y, xt, yt,
                (e, err) -> System.out.printf("  teacher epoch %d: %d test errors (%.0f s)%n", e, err, (System.nanoTime() - t0) / 1e9));
        java.util.function.Function<INDArray, INDArray> f = TeacherOutputs.ofDl4j(net);
        INDArray z = TeacherOutputs.cached(dir.resolve("logits-" + name + ".bin"), name, f, x, 2000);
        return new Teacher(name, f, ConvTeacher.errors(net, xt, yt), DistillationLoss.packTargets(y, z));
    }

    /** The teacher of {@link DistillationExperiment#teacherJittered}, trained once (kept in dir), its logits cached. */
    static Teacher jitteredTeacher(Path dir, int n, int epochs, double lr, int shift, double maxNorm, INDArray x, INDArray y,
                                   INDArray xt, int[] yt) {
        String name = DistillationExperiment.jitteredTeacherName(n, epochs, lr, shift, maxNorm);
        long t0 = System.nanoTime();
        Sequential t = DistillationExperiment.teacherJittered(dir.resolve(name + ".ckpt"), new long[] {784, 1200, 1200, 10},
                0.2, 0.5, shift, maxNorm, epochs, lr, 100, x, y, xt, yt, 5,
                (e, err) -> System.out.printf("  teacher epoch %d: %d test errors (%.0f s)%n", e, err, (System.nanoTime() - t0) / 1e9));
        INDArray z = TeacherOutputs.cached(dir.resolve("logits-" + name + ".bin"), name,
                DistillationExperiment.logitsOf(t), x, 2000);
        return new Teacher(name, DistillationExperiment.logitsOf(t), DistillationExperiment.testErrors(t, xt, yt), DistillationLoss.packTargets(y, z));
    }

    /** Where {@link #student} keeps its results (see there); null = no cache. */
    static Path results;
    /** The current teacher's name, part of a distilled student's cache key. */
    static String teacherKey = "";

    /**
     * Trains a student (alone when kd is null) and returns its test errors. A result is deterministic given its
     * settings (one BLAS thread, seeded initialisation, order and dropout), so it is kept in {@code results} under a
     * key naming every setting and read back by a later run: the parts of the benchmark can run in separate processes
     * (or after an interruption) and a final run prints the tables without training again.
     */
    static int student(long[] sizes, long seed, INDArray x, INDArray y, DistillationLoss kd, int epochs, double lr,
                       INDArray xt, int[] yt) {
        String key = "student-" + java.util.Arrays.toString(sizes).replaceAll("[^0-9,]", "").replace(',', 'x')
                + "-n" + x.size(0) + "-e" + epochs + "-lr" + lr + "-s" + seed
                + (kd == null ? "-alone" : "-kd-T" + kd.temperature() + "-a" + kd.alpha() + "-" + teacherKey);
        Path f = results == null ? null : results.resolve(key + ".txt");
        try {
            if (f != null && java.nio.file.Files.isRegularFile(f)) return Integer.parseInt(java.nio.file.Files.readString(f).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            System.out.println("  (ignoring an unreadable result file " + f + ": " + e + ")");
        }
        Sequential m = DistillationModels.mlp(sizes, 0, 0, seed);
        DistillationExperiment.trainCosine(m, x, y, epochs, 128, lr, seed,
                kd == null ? DistillationExperiment.crossEntropy(m) : DistillationExperiment.distillation(m, kd), false);
        int errors = DistillationExperiment.testErrors(m, xt, yt);
        if (f != null) {
            try {
                java.nio.file.Files.createDirectories(results);
                Path tmp = results.resolve(key + ".tmp");
                java.nio.file.Files.writeString(tmp, errors + "\n");
                java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                System.out.println("  (could not keep the result in " + f + ": " + e + ")");
            }
        }
        System.out.printf("  %s: %d test errors%n", key, errors);
        return errors;
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
