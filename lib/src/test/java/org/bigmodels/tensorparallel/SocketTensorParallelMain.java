package org.bigmodels.tensorparallel;

import java.util.Map;
import org.bigmodels.comm.Launcher;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The worker program of {@link SocketTensorParallelTest}, one JVM per rank: the dense GPT (same seed in every
 * process) is the reference, computed locally; the rank's {@link TensorParallelGPT} shard runs over sockets and must
 * give the same loss, the formula's bytes, and the matching slice of every dense gradient; prints "OK rank r" or
 * throws (exit 1).
 */
public final class SocketTensorParallelMain {
    public static void main(String[] args) {
        Launcher.worker(comm -> {
            int p = comm.worldSize();
            int r = comm.rank();
            GPT dense = new GPT(new GPTConfig(12, 8, 2, 4, 16, 0.0, DataType.DOUBLE, 7));
            INDArray ids = Nd4j.createFromArray(new int[][] {{1, 4, 7, 10, 2, 3}, {11, 0, 5, 5, 9, 8}});
            INDArray targets = Nd4j.createFromArray(new int[][] {{4, 7, 10, 2, 3, 6}, {0, 5, 5, 9, 8, 1}});
            Tensor lossD = dense.loss(ids, targets);
            lossD.backward();
            Map<String, INDArray> dg = TensorParallelTest.grads(dense);
            TensorParallelGPT model = new TensorParallelGPT(dense, comm);
            comm.resetStats();
            Tensor loss = model.loss(ids, targets);
            loss.backward();
            double bytes = TensorParallelTraffic.gptStepBytes(p, 12, 16, 2, 8);
            if (comm.totalBytesSent() != bytes) {
                throw new AssertionError("rank " + r + " sent " + comm.totalBytesSent() + " bytes over sockets, the "
                        + "formula says " + bytes);
            }
            if (Math.abs(lossD.item() - loss.item()) > 1e-9) {
                throw new AssertionError("rank " + r + ": loss " + loss.item() + ", dense " + lossD.item());
            }
            model.namedParameters().forEach((n, t) -> {
                String prefix = n.startsWith("blocks.") ? n.substring(0, n.indexOf('.', 7) + 1) : "";
                TensorParallelTest.close(TensorParallelTest.expectedShard(n, dg, r, p, prefix), t.grad(),
                        "gradient of " + n + " on rank " + r + " over sockets");
            });
            System.out.println("OK rank " + r);
            return null;
        });
    }
}
