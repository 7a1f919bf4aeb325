package org.bigmodels.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigmodels.capstone.CompressionPipeline;
import org.bigmodels.capstone.CompressionStage;
import org.bigmodels.capstone.InterleavedTimer;
import org.bigmodels.capstone.PrunedKMeans;
import org.bigmodels.data.Datasets;
import org.bigmodels.data.Mnist;
import org.bigmodels.data.Split;
import org.bigmodels.display.Html;
import org.bigmodels.distill.DistillationLoss;
import org.bigmodels.distill.TeacherOutputs;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.MLP;
import org.bigmodels.prune.SparseMLP;
import org.bigmodels.quant.IntegerMLP;
import org.bigmodels.quant.QuantizedModelFile;
import org.bigmodels.quant.Quantizer;
import org.bigmodels.train.Metrics;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The capstone of lesson 17 at full length, over seeds: the committed teacher logits (datasets/distill/) distilled into
 * a student, pruned gradually while distilling, its survivors quantized (int8 per channel, and k-means with code 0
 * kept for the zeros), the final model saved and loaded back. Pruning is measured against its fair baseline, as in the
 * lesson: the student distilled the same {@code pruneEpochs} more epochs with the same loop, never pruned. Prints, per seed, the capstone table (accuracy, bytes of
 * the {@link QuantizedModelFile}, median latency of a forward pass over {@code latencyN} test images by the dense,
 * sparse CSR and int8 engines, measured side by side), then each stage's accuracy as mean ± std over the seeds.
 * Arguments (key=value, or --key value with dashed names: --distill-epochs 6): student=784,100,100,10
 * distillEpochs=12 pruneEpochs=12 sparsity=0.8 bits=4 seeds=3 T=5 alpha=0.9 latencyN=2000 rounds=15. The teacher's
 * size and latency are those of a float32 network of its shape (its weights are not committed; a dense pass costs the
 * same whatever the weights); the fair baseline's latency is the student's (the same dense network).
 */
public final class CapstoneBenchmark {
    private CapstoneBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        String[] defaults = {"student", "784,100,100,10", "distillEpochs", "12", "pruneEpochs", "12", "sparsity", "0.8",
                "bits", "4", "seeds", "3", "T", "5", "alpha", "0.9", "latencyN", "2000", "rounds", "15"};
        for (int i = 0; i < defaults.length; i += 2) a.put(defaults[i], defaults[i + 1]);
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println("./course bench capstone [key=value ...] (or --key value, --distill-epochs 6); the keys, their meaning and default:");
            String[][] meaning = {{"student", "layer sizes of the student MLP, comma-separated"},
                    {"distillEpochs", "epochs of distillation from the teacher's logits (the notebook: 10)"},
                    {"pruneEpochs", "epochs of gradual pruning while distilling (the notebook: 6)"},
                    {"sparsity", "fraction of the weights pruned, one global magnitude ranking"},
                    {"bits", "k-means code bits per surviving weight (PrunedKMeans)"},
                    {"seeds", "number of seeds, 1..seeds, each a full run"},
                    {"T", "distillation temperature"}, {"alpha", "weight of the soft (teacher) loss"},
                    {"latencyN", "test images per timed forward pass"},
                    {"rounds", "alternated timing rounds; medians are reported (the notebook: 5)"}};
            for (String[] km : meaning) System.out.printf("  %-14s %s (default %s)%n", km[0], km[1], a.get(km[0]));
            return;
        }
        BenchOptions.readIntoOrExit(a, args, "capstone");
        System.out.println("CapstoneBenchmark " + a);
        long[] sizes = java.util.Arrays.stream(a.get("student").split(",")).mapToLong(Long::parseLong).toArray();
        int de = Integer.parseInt(a.get("distillEpochs")), pe = Integer.parseInt(a.get("pruneEpochs"));
        int bits = Integer.parseInt(a.get("bits")), seeds = Integer.parseInt(a.get("seeds"));
        int latencyN = Integer.parseInt(a.get("latencyN")), rounds = Integer.parseInt(a.get("rounds"));
        double sparsity = Double.parseDouble(a.get("sparsity"));
        DistillationLoss kd = new DistillationLoss(Double.parseDouble(a.get("T")), Double.parseDouble(a.get("alpha")));

        Split tr = Mnist.train(), ts = Mnist.test();
        INDArray x = tr.features().get(NDArrayIndex.interval(0, 20_000), NDArrayIndex.all()).dup('c');
        INDArray y = tr.labels().get(NDArrayIndex.interval(0, 20_000)).dup();
        INDArray xt = ts.features();
        int[] yt = ts.labelArray();
        String key = "teacher-2x1200-d0.2-0.5-n60000-e20-lr0.001-cos-s100";
        Path dir = Datasets.root().resolve("distill");
        INDArray logits = TeacherOutputs.load(dir.resolve("teacher-train20000.bin"), key, x);
        INDArray testLogits = TeacherOutputs.load(dir.resolve("teacher-test.bin"), key, xt);
        if (logits == null || testLogits == null) {
            throw new IllegalStateException("CapstoneBenchmark: the committed teacher logits in " + dir + " are missing or "
                    + "damaged; restore datasets/distill/ (see its README.md)");
        }
        double teacherAcc = Metrics.accuracy(testLogits.argMax(1).toIntVector(), yt);
        MLP teacher = new MLP(new long[] {784, 1200, 1200, 10}, Activation.RELU, DataType.FLOAT, 100);
        teacher.linears().forEach(l -> l.bias().value().assign(0.01));
        long teacherBytes = QuantizedModelFile.of(teacher, w -> w).bytes();
        INDArray xl = xt.get(NDArrayIndex.interval(0, latencyN), NDArrayIndex.all()).dup('c');
        Path out = Files.createTempDirectory("capstone-bench");
        List<List<CompressionStage>> all = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            MLP student = CompressionPipeline.distill(sizes, x, y, logits, kd, de, 2e-3, seed, false);
            double studentAcc = CompressionPipeline.accuracy(student, xt, yt);
            // the fair baseline of pruning: the student distilled the same extra epochs with the same loop, never pruned
            MLP longer = new MLP(sizes, Activation.RELU, DataType.FLOAT, 0);
            longer.namedParameters().forEach((n, t) -> t.value().assign(student.parameter(n).value()));
            CompressionPipeline.prune(longer, x, y, logits, kd, 0.0, pe, 1e-3, seed, false);
            MLP pruned = new MLP(sizes, Activation.RELU, DataType.FLOAT, 0);
            pruned.namedParameters().forEach((n, t) -> t.value().assign(student.parameter(n).value()));
            CompressionPipeline.prune(pruned, x, y, logits, kd, sparsity, pe, 1e-3, seed, false);
            QuantizedModelFile int8 = QuantizedModelFile.of(pruned, Quantizer.symmetric(8).perChannel(1));
            QuantizedModelFile shared = QuantizedModelFile.of(pruned, w -> PrunedKMeans.fit(w, bits, 20));
            Path file = out.resolve("seed" + seed + ".bmq");
            shared.save(file);
            MLP loaded = QuantizedModelFile.load(file).toMLP();
            IntegerMLP integer = IntegerMLP.quantize(pruned, x.get(NDArrayIndex.interval(0, 1000), NDArrayIndex.all()));
            SparseMLP prunedSparse = new SparseMLP(pruned), loadedSparse = new SparseMLP(loaded);
            Map<String, Runnable> work = new LinkedHashMap<>();
            work.put("teacher", () -> teacher.predict(xl));
            work.put("student", () -> student.predict(xl));
            work.put("pruned", () -> pruned.predict(xl));
            work.put("prunedSparse", () -> prunedSparse.predict(xl));
            work.put("int8", () -> integer.predict(xl));
            work.put("loaded", () -> loaded.predict(xl));
            work.put("loadedSparse", () -> loadedSparse.predict(xl));
            Map<String, Double> ms = new InterleavedTimer().medianMillis(work, rounds);
            double na = Double.NaN;
            List<CompressionStage> stages = List.of(
                    new CompressionStage("teacher (float32)", teacherAcc, teacherBytes, ms.get("teacher"), na, na),
                    new CompressionStage("distilled student (float32)", studentAcc, QuantizedModelFile.of(student, w -> w).bytes(), ms.get("student"), na, na),
                    new CompressionStage("fair baseline: student + " + pe + " epochs, not pruned", CompressionPipeline.accuracy(longer, xt, yt), QuantizedModelFile.of(longer, w -> w).bytes(), ms.get("student"), na, na),
                    new CompressionStage("pruned (float32)", CompressionPipeline.accuracy(pruned, xt, yt), QuantizedModelFile.of(pruned, w -> w).bytes(), ms.get("pruned"), ms.get("prunedSparse"), na),
                    new CompressionStage("pruned + int8", CompressionPipeline.accuracy(int8.toMLP(), xt, yt), int8.bytes(), na, na, ms.get("int8")),
                    new CompressionStage("pruned + " + bits + "-bit k-means", CompressionPipeline.accuracy(shared.toMLP(), xt, yt), shared.bytes(), ms.get("loaded"), ms.get("loadedSparse"), na),
                    new CompressionStage("loaded back from the file", CompressionPipeline.accuracy(loaded, xt, yt), Files.size(file), ms.get("loaded"), ms.get("loadedSparse"), na));
            all.add(stages);
            System.out.printf("%nseed %d (%.0f s)%n%s", seed, (System.nanoTime() - t0) / 1e9,
                    Html.tableText(CompressionStage.table("capstone, seed " + seed, stages)));
            Files.deleteIfExists(file);
        }
        Files.deleteIfExists(out);
        System.out.printf("%ntest accuracy over %d seeds (mean ± std) and bytes of the last seed%n", seeds);
        int width = all.get(0).stream().mapToInt(st -> st.name().length()).max().orElse(10);
        for (int s = 0; s < all.get(0).size(); s++) {
            double[] v = new double[seeds];
            for (int k = 0; k < seeds; k++) v[k] = 100 * all.get(k).get(s).accuracy();
            double mean = java.util.Arrays.stream(v).average().orElseThrow(), sd = 0;
            for (double e : v) sd += (e - mean) * (e - mean);
            sd = seeds > 1 ? Math.sqrt(sd / (seeds - 1)) : 0;
            System.out.printf("| %-" + width + "s | %.2f ± %.2f %% | %,d bytes |%n", all.get(0).get(s).name(), mean, sd, all.get(seeds - 1).get(s).bytes());
        }
    }
}
