package org.bigmodels.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bigmodels.dl4j.Dl4jBridge;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TeacherOutputsTest {
    @TempDir
    Path dir;

    @Test
    void computedOnceThenReadFromDiskAndRecomputedWhenStaleOrCorrupt() throws Exception {
        MLP teacher = new MLP(new long[] {5, 7, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
        AtomicInteger calls = new AtomicInteger();
        Function<INDArray, INDArray> counted = x -> {
            calls.incrementAndGet();
            return TeacherOutputs.ofModule(teacher, teacher::forward).apply(x);
        };
        INDArray x = Nd4j.rand(DataType.FLOAT, 23, 5);
        Path file = dir.resolve("t.bin");
        INDArray first = TeacherOutputs.cached(file, "k1", counted, x, 10);
        assertEquals(3, calls.get(), "23 rows in batches of 10");
        INDArray expected;
        try (var off = Tensor.noGrad()) {
            expected = teacher.forward(x).value();
        }
        assertEquals(expected, first);
        assertEquals(first, TeacherOutputs.cached(file, "k1", counted, x, 10));
        assertEquals(3, calls.get(), "a hit must not call the teacher");
        assertEquals(first, TeacherOutputs.load(file, "k1", x), "load reads what cached wrote");
        org.junit.jupiter.api.Assertions.assertNull(TeacherOutputs.load(file, "k2", x), "load must refuse another key");
        org.junit.jupiter.api.Assertions.assertNull(TeacherOutputs.load(file, "k1", x.add(1)), "load must refuse other inputs");
        org.junit.jupiter.api.Assertions.assertNull(TeacherOutputs.load(dir.resolve("none.bin"), "k1", x), "a missing file is null");
        assertEquals(3, calls.get(), "load never calls a teacher");
        TeacherOutputs.cached(file, "k2", counted, x, 10);
        assertEquals(6, calls.get(), "another key must recompute");
        TeacherOutputs.cached(file, "k2", counted, x.add(1), 10);
        assertEquals(9, calls.get(), "other inputs must recompute");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 2] ^= 0x55; // flip bits inside the logits
        Files.write(file, bytes);
        assertEquals(TeacherOutputs.compute(counted, x.add(1), 10), TeacherOutputs.cached(file, "k2", counted, x.add(1), 10));
        assertEquals(15, calls.get(), "a corrupt file must be recomputed (3 calls) besides the reference (3)");
    }

    @Test
    void aTornHeaderIsRecomputedAHitEqualsAMissAndAFailedWriteLeavesNoTemporaryFile() throws Exception {
        MLP teacher = new MLP(new long[] {5, 7, 3}, org.bigmodels.nn.Activation.RELU, DataType.DOUBLE, 2);
        Function<INDArray, INDArray> f = TeacherOutputs.ofModule(teacher, teacher::forward);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 9, 5);
        Path file = dir.resolve("t.bin");
        INDArray miss = TeacherOutputs.cached(file, "k", f, x, 4);
        INDArray hit = TeacherOutputs.cached(file, "k", f, x, 4);
        assertEquals(miss.dataType(), hit.dataType(), "a hit and a miss must have the same type");
        assertEquals(miss, hit, "a hit must equal the miss that wrote it");
        // the rows field (after magic 4, key 2+1, input checksum 8) claims 2^60 rows: recompute, never allocate it
        byte[] b = Files.readAllBytes(file);
        b[4 + 3 + 8] = 0x10;
        Files.write(file, b);
        assertEquals(miss, TeacherOutputs.cached(file, "k", f, x, 4), "a torn header must be recomputed");
        // a directory where the file should be: a clear error and no temporary file left next to it
        Path asDir = Files.createDirectories(dir.resolve("isdir"));
        var e = assertThrows(java.io.UncheckedIOException.class, () -> TeacherOutputs.cached(asDir, "k", f, x, 4));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "a .tmp file was left behind");
        }
    }

    @Test
    void aDl4jTeachersLogProbabilitiesGiveTheSameSoftTargetsAsItsLogits() {
        MLP mlp = new MLP(new long[] {6, 9, 4}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 4);
        mlp.linears().get(1).weight().value().muli(4); // a fairly confident teacher
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(mlp);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 6);
        INDArray logP = TeacherOutputs.compute(TeacherOutputs.ofDl4j(net), x, 8);
        INDArray logits = TeacherOutputs.compute(TeacherOutputs.ofModule(mlp, mlp::forward), x, 8);
        for (double t : new double[] {1, 2.5, 20}) {
            double[][] a = DistillationLoss.softTargets(logP, t), b = DistillationLoss.softTargets(logits, t);
            for (int i = 0; i < a.length; i++) assertArrayEquals(b[i], a[i], 1e-5, "T=" + t + " row " + i);
        }
    }

    @Test
    void aDl4jStudentIsDistilledThroughTheBridge() {
        // the DL4J student is converted to a course MLP, trained with the KD loss, and its weights copied back
        MLP teacher = new MLP(new long[] {6, 12, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 1);
        MultiLayerNetwork dl4jStudent = Dl4jBridge.toMultiLayerNetwork(
                new MLP(new long[] {6, 5, 3}, org.bigmodels.nn.Activation.RELU, DataType.FLOAT, 2));
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, 128, 6);
        INDArray z = TeacherOutputs.compute(TeacherOutputs.ofModule(teacher, teacher::forward), x, 64);
        MLP student = Dl4jBridge.fromMultiLayerNetwork(dl4jStudent);
        DistillationLoss kd = new DistillationLoss(2, 1);
        double before = kd.softLoss(Tensor.of(TeacherOutputs.compute(TeacherOutputs.ofDl4j(dl4jStudent), x, 128)), z).item();
        var trainer = new org.bigmodels.train.Trainer(student, org.bigmodels.optim.Adam.adam(student.parameters(), 1e-2),
                org.bigmodels.train.TrainConfig.defaults().withProgress(false));
        trainer.fitEpochs(x, DistillationLoss.packTargets(z.argMax(1), z), 15, 32, kd.objective(student::forward), null);
        Dl4jBridge.copyWeights(student, dl4jStudent);
        double after = kd.softLoss(Tensor.of(TeacherOutputs.compute(TeacherOutputs.ofDl4j(dl4jStudent), x, 128)), z).item();
        assertTrue(after < 0.5 * before, "DL4J student's soft loss " + before + " -> " + after);
    }
}
