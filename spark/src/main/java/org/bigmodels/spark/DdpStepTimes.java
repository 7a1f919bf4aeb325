package org.bigmodels.spark;

import java.util.Arrays;
import java.util.List;
import org.bigmodels.dataparallel.WorkerEvent;
import org.bigmodels.train.History;

/**
 * Per-step times of one data-parallel worker (lesson 05's {@code DataParallelTrainer}), measured the same way for
 * every trainer that runs it (in this JVM, or inside a Spark barrier task), so that their medians can be compared:
 * the wall time of each step from the worker's {@link History} (its "seconds" column: seconds since the start, after
 * each step) and the time of each step spent in communication (the worker's {@link WorkerEvent#COMMUNICATION} and
 * {@link WorkerEvent#WAIT} events, grouped by {@link WorkerEvent#step()}).
 */
public final class DdpStepTimes {
    private DdpStepTimes() {
    }

    /**
     * Wall time of each logged step, ms (the history must log every step: {@code TrainConfig.withLogEvery(1)}).
     *
     * @return an array of {@code history.size()} durations; the first one includes the time before the first step
     *         (model and optimizer set-up on that worker)
     */
    public static double[] stepMillis(History history) {
        double[] secs = history.table().doubleColumn("seconds").asDoubleArray();
        double[] ms = new double[secs.length];
        for (int i = 0; i < ms.length; i++) ms[i] = 1000 * (secs[i] - (i == 0 ? 0 : secs[i - 1]));
        return ms;
    }

    /**
     * Time spent communicating (all-reduce) or waiting for it in each of the global steps
     * {@code firstStep .. firstStep + steps - 1}, ms; events of other steps are ignored.
     *
     * @param events    one worker's events (lane COMPUTE is not counted)
     * @param firstStep the global step of index 0 of the result (0, or the step a resumed run started from)
     * @param steps     the length of the result, >= 0
     * @throws IllegalArgumentException when steps or firstStep is negative
     */
    public static double[] commMillis(List<WorkerEvent> events, int firstStep, int steps) {
        if (steps < 0 || firstStep < 0) {
            throw new IllegalArgumentException("DdpStepTimes.commMillis: expected firstStep >= 0 and steps >= 0, got "
                    + firstStep + " and " + steps);
        }
        double[] ms = new double[steps];
        for (WorkerEvent e : events) {
            int i = e.step() - firstStep;
            if (!e.lane().equals(WorkerEvent.COMPUTE) && i >= 0 && i < steps) ms[i] += e.millis();
        }
        return ms;
    }

    /** The values from index {@code warmUp} on (the steps after a warm-up); empty when there are not that many. */
    public static double[] afterWarmUp(double[] perStep, int warmUp) {
        return Arrays.copyOfRange(perStep, Math.min(Math.max(warmUp, 0), perStep.length), perStep.length);
    }
}
