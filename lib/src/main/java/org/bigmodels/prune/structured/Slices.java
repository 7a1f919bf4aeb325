package org.bigmodels.prune.structured;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

/** Copies of arrays with only some indices kept along one axis, and zeroing of the others (package helper). */
final class Slices {
    private Slices() {}

    /** A new row-major array: {@code a} with only the indices {@code keep} (ascending) along {@code axis}. */
    static INDArray take(INDArray a, int axis, int[] keep) {
        INDArrayIndex[] ix = new INDArrayIndex[a.rank()];
        for (int i = 0; i < ix.length; i++) ix[i] = NDArrayIndex.all();
        ix[axis] = new SpecifiedIndex(Arrays.stream(keep).asLongStream().toArray());
        INDArray r = a.dup('c').get(ix).dup('c'); // dup first: a SpecifiedIndex on a parameter view fails in ND4J
        long[] shape = a.shape().clone();
        shape[axis] = keep.length;
        return r.reshape('c', shape);
    }

    /** Sets to zero, in place, every index along {@code axis} that is not in {@code keep}. */
    static void zeroOthers(INDArray a, int axis, int[] keep) {
        boolean[] kept = new boolean[(int) a.size(axis)];
        for (int k : keep) kept[k] = true;
        INDArrayIndex[] ix = new INDArrayIndex[a.rank()];
        for (int i = 0; i < ix.length; i++) ix[i] = NDArrayIndex.all();
        for (int j = 0; j < kept.length; j++) {
            if (kept[j]) continue;
            ix[axis] = NDArrayIndex.point(j);
            a.get(ix).assign(0);
        }
    }

    /** Each index of {@code units} expanded to the block of {@code width} consecutive indices it owns: u·width + r. */
    static int[] expand(int[] units, int width) {
        int[] r = new int[units.length * width];
        for (int i = 0; i < units.length; i++) {
            for (int k = 0; k < width; k++) r[i * width + k] = units[i] * width + k;
        }
        return r;
    }
}
