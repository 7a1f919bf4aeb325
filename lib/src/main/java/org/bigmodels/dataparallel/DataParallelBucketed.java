package org.bigmodels.dataparallel;

import java.util.ArrayList;
import java.util.List;
import org.bigmodels.comm.AllReduce;
import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.SharedMemoryAllReduce;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Data parallelism with gradient buckets: the gradients are copied into a few flat buffers ("buckets") of about
 * {@code bucketBytes} bytes each, and each bucket is all-reduced as one message, then divided by W and copied back.
 * Fewer, larger messages: the latency term of the α–β cost drops from P·α (one message per parameter,
 * {@link DataParallelNaive}) to B·α for B buckets, while the bandwidth term is unchanged.
 *
 * <p>Buckets are filled in reverse registration order (the last layer's parameters first), because backward produces
 * the last layer's gradients first, which is what {@link DataParallelOverlapped} exploits; a bucket is closed when the
 * next parameter would take it past {@code bucketBytes}, and a parameter larger than that gets a bucket of its own.
 * A bucket holds one element type. PyTorch DDP's {@code bucket_cap_mb} (default 25 MB; Li et al., VLDB 2020, section
 * 3.2.2); picotron's {@code DataParallelBucket}.
 */
public class DataParallelBucketed extends DataParallel {

    /** One flat buffer and the parameters it carries: params.get(i) at [offsets[i], offsets[i] + length). */
    protected static final class Bucket {
        final int id;
        final List<Integer> params = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        final DataType type;
        long length;
        INDArray buffer;
        /** views[i]: the region of buffer that holds params.get(i), shaped as that parameter (made once). */
        final List<INDArray> views = new ArrayList<>();

        Bucket(int id, DataType type) {
            this.id = id;
            this.type = type;
        }

        long bytes() {
            return length * type.width();
        }
    }

    protected final long bucketBytes;
    /** How a bucket is summed over the ranks; null: the communicator's own all-reduce (the ring). */
    protected final AllReduce algorithm;
    protected final List<Bucket> buckets = new ArrayList<>();
    /** bucketOf[param index], slotOf[param index]: where a parameter's gradient goes. */
    protected final int[] bucketOf;
    protected final int[] slotOf;

    /**
     * A collective: every rank constructs its own at the same point (rank 0's weights are broadcast).
     *
     * @param bucketBytes capacity of a bucket in bytes, > 0 (e.g. 25 << 20 as PyTorch; a few KB to see several
     *                    buckets on a small MLP)
     * @throws IllegalArgumentException for bucketBytes <= 0, and see {@link DataParallel#DataParallel}
     */
    public DataParallelBucketed(Communicator comm, Module model, long bucketBytes) {
        this(comm, model, bucketBytes, null);
    }

    /**
     * Buckets summed with {@code algorithm}, e.g. {@link SharedMemoryAllReduce} for the workers of one JVM.
     *
     * @param algorithm the all-reduce of every bucket; null for the communicator's own ({@link Communicator#allReduce})
     * @throws IllegalArgumentException for bucketBytes <= 0, a {@link SharedMemoryAllReduce} with a communicator other
     *                                  than a ThreadCommunicator, and see {@link DataParallel#DataParallel}
     */
    public DataParallelBucketed(Communicator comm, Module model, long bucketBytes, AllReduce algorithm) {
        super(comm, checkArguments(bucketBytes, model, comm, algorithm));
        this.bucketBytes = bucketBytes;
        this.algorithm = algorithm;
        this.bucketOf = new int[parameters.size()];
        this.slotOf = new int[parameters.size()];
        Bucket current = null;
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Tensor p = parameters.get(i);
            long len = p.value().length();
            long bytes = len * p.dataType().width();
            if (current == null || current.type != p.dataType()
                    || (current.length > 0 && current.bytes() + bytes > bucketBytes)) {
                current = new Bucket(buckets.size(), p.dataType());
                buckets.add(current);
            }
            bucketOf[i] = current.id;
            slotOf[i] = current.params.size();
            current.params.add(i);
            current.offsets.add(current.length);
            current.length += len;
        }
        // outside any Arena: the buffers and their views live with this object and are reused every step, so a step
        // allocates nothing here
        for (Bucket b : buckets) {
            b.buffer = Nd4j.create(b.type, b.length);
            for (int s = 0; s < b.params.size(); s++) {
                long from = b.offsets.get(s);
                Tensor p = parameters.get(b.params.get(s));
                b.views.add(b.buffer.get(NDArrayIndex.interval(from, from + p.value().length())).reshape('c',
                        p.shape()));
            }
        }
    }

    private static Module checkArguments(long bucketBytes, Module model, Communicator comm, AllReduce algorithm) {
        if (algorithm instanceof SharedMemoryAllReduce) {
            SharedMemoryAllReduce.requireThreads(comm);   // refused now, before the broadcast, not at the first step
        }
        return checkBytes(bucketBytes, model);
    }

    private static Module checkBytes(long bucketBytes, Module model) {
        if (bucketBytes <= 0) {
            throw new IllegalArgumentException("DataParallelBucketed: expected a bucket size > 0 bytes, got "
                    + bucketBytes + " (PyTorch's default is 25 MB = 26214400)");
        }
        return model;
    }

    /** Buckets chosen: for each, the indices (in {@link #parameters()}) of its parameters, in packing order. */
    public List<List<Integer>> bucketLayout() {
        return buckets.stream().map(b -> List.copyOf(b.params)).toList();
    }

    /** The size of each bucket in bytes. */
    public long[] bucketSizes() {
        return buckets.stream().mapToLong(Bucket::bytes).toArray();
    }

    @Override
    protected void reduce() {
        for (Bucket b : buckets) {
            for (int s = 0; s < b.params.size(); s++) pack(b, s);
            long start = System.nanoTime();
            allReduceSum(b);
            record(WorkerEvent.COMMUNICATION, "AR " + b.id, start, System.nanoTime());
            unpack(b);
        }
    }

    /** The region of bucket b's buffer that holds its s-th parameter (a view shaped as the parameter). */
    protected INDArray slot(Bucket b, int s) {
        return b.views.get(s);
    }

    /** Copies the gradient of bucket b's s-th parameter into its slot (zeros if it has none). */
    protected void pack(Bucket b, int s) {
        Tensor p = parameters.get(b.params.get(s));
        INDArray slot = slot(b, s);
        if (p.grad() == null) slot.assign(0);
        else slot.assign(p.grad());
    }

    /** Sums the bucket over the ranks, in place (the division by W is done by {@link #unpack}). */
    protected void allReduceSum(Bucket b) {
        if (algorithm != null) {
            algorithm.allReduce(comm, b.buffer);
            return;
        }
        try (var lend = ThreadCommunicator.recycling(comm)) {   // no message allocated per step
            comm.allReduce(b.buffer);
        }
    }

    /** Writes slot / W into each gradient of the bucket: the mean, in one pass per gradient. */
    protected void unpack(Bucket b) {
        for (int s = 0; s < b.params.size(); s++) setMeanGrad(parameters.get(b.params.get(s)), slot(b, s),
                comm.worldSize());
    }
}
