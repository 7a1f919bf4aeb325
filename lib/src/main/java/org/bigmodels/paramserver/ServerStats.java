package org.bigmodels.paramserver;

import java.util.List;

/**
 * The accounting of a {@link ParameterServer} at one moment. Every push received is either applied or abandoned:
 * {@code pushesReceived == pushesApplied + pushesAbandoned + pushesPending} (pending: received by a synchronous
 * server for a step not yet complete).
 *
 * @param pushesReceived gradients pushed by workers
 * @param pushesApplied gradients applied to the parameters (each exactly once; under BSP as part of an average)
 * @param pushesAbandoned gradients dropped because the server stopped (step abandoned after a failure)
 * @param pushesPending gradients held for a synchronous step that is not complete
 * @param updates server updates (BSP: one per step; async/SSP: one per push)
 * @param stepsAbandoned synchronous steps abandoned after a failure (0 or 1)
 * @param bytesPushed bytes received from workers (dense: 4 per float; compressed: the wire bytes reported)
 * @param bytesPulled bytes sent to workers (4 per float)
 * @param staleness one entry per applied gradient: the updates applied to its shards between the pull it was
 *     computed on and its own application (max over shards); 0 under BSP
 * @param clockLag one entry per pull: steps ahead of the slowest live worker at that pull
 * @param failedWorkers the workers reported failed, in order
 */
public record ServerStats(long pushesReceived, long pushesApplied, long pushesAbandoned, long pushesPending,
        long updates, long stepsAbandoned, long bytesPushed, long bytesPulled, List<Integer> staleness,
        List<Integer> clockLag, List<Integer> failedWorkers) {

    /** counts[k] = how many applied gradients had staleness k (int[max + 1]; empty if none applied). */
    public int[] stalenessHistogram() {
        int max = maxStaleness();
        int[] counts = new int[max + 1];
        for (int s : staleness) counts[s]++;
        return counts;
    }

    /** The largest staleness of an applied gradient (-1 if none was applied). */
    public int maxStaleness() {
        int max = -1;
        for (int s : staleness) max = Math.max(max, s);
        return max;
    }

    /** The largest clock lag of any pull (-1 if none). */
    public int maxClockLag() {
        int max = -1;
        for (int s : clockLag) max = Math.max(max, s);
        return max;
    }

    @Override
    public String toString() {
        return "ServerStats(received=" + pushesReceived + ", applied=" + pushesApplied + ", abandoned="
                + pushesAbandoned + ", pending=" + pushesPending + ", updates=" + updates + ", stepsAbandoned="
                + stepsAbandoned + ", bytesPushed=" + bytesPushed + ", bytesPulled=" + bytesPulled
                + ", maxStaleness=" + maxStaleness() + ", maxClockLag=" + maxClockLag() + ", failed=" + failedWorkers
                + ")";
    }
}
