package org.bigmodels.dataparallel;

import static org.bigmodels.dataparallel.DataParallelEquivalenceTest.*;

import java.util.List;
import java.util.Map;
import org.bigmodels.comm.Launcher;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.MLP;
import org.bigmodels.optim.SGD;

/**
 * The worker program of {@link SocketDataParallelTest}, one JVM per rank started by {@link Launcher}: trains with the
 * naive, bucketed and overlapped strategies over sockets with the course Trainer, and compares each result with the
 * single-worker reference on the concatenated batch computed in this process; prints "OK rank r" or throws (exit 1).
 */
public final class SocketDataParallelMain {
    public static void main(String[] args) {
        Launcher.worker(comm -> {
            int w = comm.worldSize();
            MLP ref = reference(w, PER_WORKER, STEPS);
            var strategies = Map.of("naive", DataParallelTrainer.naive(), "bucketed", DataParallelTrainer.bucketed(200),
                    "overlapped", DataParallelTrainer.overlapped(200));
            for (String name : List.of("naive", "bucketed", "overlapped")) {
                var dp = new DataParallelTrainer<>(r -> model(7 + 13 * r), m -> new SGD(m.parameters(), 0.2, 0.9, 0),
                        DataParallelEquivalenceTest::loss, CONFIG, strategies.get(name));
                MLP got = dp.fitSteps(comm, STEPS, contiguous(PER_WORKER)).model();
                for (Map.Entry<String, Tensor> e : got.namedParameters().entrySet()) {
                    double diff = e.getValue().value().sub(ref.namedParameters().get(e.getKey()).value())
                            .amaxNumber().doubleValue();
                    if (!(diff <= 1e-12)) {
                        throw new AssertionError(name + " over sockets, W=" + w + ", rank " + comm.rank() + ": "
                                + e.getKey() + " differs by " + diff + " from the reference");
                    }
                }
            }
            System.out.println("OK rank " + comm.rank());
            return null;
        });
    }
}
