package org.bigmodels.pipeline;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bigmodels.comm.Launcher;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.GPTConfig;
import org.bigmodels.optim.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The worker program of {@link SocketPipelineTest}, one JVM per stage: builds the same GPT in every process (same
 * seed), computes the unsplit model's gradients and AdamW step locally as the reference, then runs its stage of a
 * GPipe and a 1F1B step over sockets and compares the parameters it holds; prints "OK rank r" or throws (exit 1).
 */
public final class SocketPipelineMain {
    public static void main(String[] args) {
        Launcher.worker(comm -> {
            GPTConfig cfg = new GPTConfig(11, 8, 3, 2, 16, 0.0, DataType.DOUBLE, 5);
            int b = 6, t = 8, m = 3;
            Random r = new Random(9);
            int[][] ids = new int[b][t];
            int[][] tg = new int[b][t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    ids[i][j] = r.nextInt(11);
                    tg[i][j] = r.nextInt(11);
                }
            }
            INDArray x = Nd4j.createFromArray(ids);
            INDArray y = Nd4j.createFromArray(tg);
            GPT reference = new GPT(cfg);
            Tensor loss = reference.loss(x, y);
            loss.backward();
            Map<String, INDArray> grads = new HashMap<>();
            reference.namedParameters().forEach((k, v) -> grads.put(k, v.grad().dup()));
            Adam.adamW(reference.parameters(), 0.01, 0.1).step();

            for (PipelineSchedule schedule : List.of(new GPipeSchedule(), new OneFOneBSchedule())) {
                GPT split = new GPT(cfg);
                Map<String, INDArray> before = new HashMap<>();
                split.namedParameters().forEach((k, v) -> before.put(k, v.value().dup()));
                PipelineRunner runner = new PipelineRunner(StagedModel.of(split), 2, schedule)
                        .optimizer(params -> Adam.adamW(params, 0.01, 0.1));
                PipelineRunner.StageReport rep = runner.runStage(comm, x, y, m);
                if (comm.rank() == 1 && Math.abs(rep.loss() - loss.item()) > 1e-12) {
                    throw new AssertionError(schedule.name() + " over sockets: loss " + rep.loss() + ", unsplit "
                            + loss.item());
                }
                // the parameters this stage updated are the ones whose values moved
                Set<String> mine = new HashSet<>();
                for (var e : split.namedParameters().entrySet()) {
                    if (!e.getValue().value().equals(before.get(e.getKey()))) mine.add(e.getKey());
                }
                if (mine.isEmpty()) {
                    throw new AssertionError(schedule.name() + ": stage " + comm.rank() + " updated no parameter");
                }
                for (String k : mine) {
                    Tensor p = split.parameter(k);
                    if (!grads.get(k).equalsWithEps(p.grad(), 1e-10)) {
                        throw new AssertionError(schedule.name() + " over sockets, stage " + comm.rank()
                                + ": gradient of " + k + " differs from the unsplit model's");
                    }
                    if (!reference.parameter(k).value().equalsWithEps(p.value(), 1e-10)) {
                        throw new AssertionError(schedule.name() + " over sockets, stage " + comm.rank()
                                + ": AdamW-updated " + k + " differs from the unsplit model's");
                    }
                }
            }
            System.out.println("OK rank " + comm.rank());
            return null;
        });
    }
}
