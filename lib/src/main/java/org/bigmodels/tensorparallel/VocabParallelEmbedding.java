package org.bigmodels.tensorparallel;

import java.util.Arrays;
import org.bigmodels.comm.Communicator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A token embedding with its table [V, C] split by rows (vocabulary) over the p ranks: rank r keeps the vectors of
 * ids [r·V/p, (r+1)·V/p). Each rank looks up the ids it owns, writes zero vectors for the others, and one all-reduce
 * (operator g) sums the p partial results, so every rank ends with every id's vector (Shoeybi et al. 2019, §3,
 * "parallelize the input embedding weight matrix along the vocabulary dimension"). Backward needs no communication:
 * each rank's table rows receive the gradient of the positions holding their ids.
 *
 * <p>Shapes: ids [...] (whole numbers in [0, V), the same on every rank) to vectors [..., C] (the same on every
 * rank). One all-reduce of B·T·C elements in forward, none in backward. V must be a multiple of p (pad the
 * vocabulary with unused ids otherwise: the extra rows are never looked up and get zero gradient).
 * Parameter: "weight" [V/p, C].
 */
public class VocabParallelEmbedding extends Module {
    private final Communicator comm;
    private final Tensor weight;
    private final long vocab;
    private final long start;

    /**
     * @throws IllegalArgumentException when p does not divide the vocabulary size
     */
    public VocabParallelEmbedding(Embedding dense, Communicator comm) {
        INDArray table = dense.weight().value();
        this.comm = comm;
        this.vocab = table.size(0);
        long[] r = ParallelLinear.range(vocab, comm.rank(), comm.worldSize(), "the vocabulary size of the embedding");
        this.start = r[0];
        this.weight = param("weight", table.get(NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).dup('c'));
    }

    /**
     * The vectors [..., C] of ids [...], the same on every rank.
     *
     * @throws IllegalArgumentException when an id is not a whole number in [0, V), naming its position
     */
    public Tensor forward(INDArray ids) {
        double[] d = ids.dup('c').data().asDouble();
        long local = weight.size(0);
        int[] localIds = new int[d.length];
        double[] mask = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] >= 0 && d[i] < vocab && d[i] == Math.rint(d[i]))) {
                throw new IllegalArgumentException("VocabParallelEmbedding: id at flat position " + i + " is " + d[i]
                        + "; expected a whole number in [0, " + vocab + ")");
            }
            long id = (long) d[i];
            boolean mine = id >= start && id < start + local;
            localIds[i] = mine ? (int) (id - start) : 0;
            mask[i] = mine ? 1 : 0;
        }
        long[] maskShape = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        maskShape[ids.rank()] = 1;
        INDArray idArr = Nd4j.createFromArray(localIds).reshape(ids.shape()).castTo(DataType.INT);
        INDArray maskArr = Nd4j.createFromArray(mask).castTo(weight.dataType()).reshape(maskShape);
        Tensor partial = Ops.mul(Ops.embedding(weight, idArr), Tensor.of(maskArr));
        return TensorParallelOps.g(partial, comm);
    }

    /** This rank's rows of the table [V/p, C]. */
    public Tensor weight() {
        return weight;
    }

    /** The first id this rank owns (r·V/p). */
    public long vocabStart() {
        return start;
    }
}
