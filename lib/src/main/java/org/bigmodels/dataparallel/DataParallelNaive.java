package org.bigmodels.dataparallel;

import org.bigmodels.comm.Communicator;
import org.bigmodels.comm.ThreadCommunicator;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data parallelism the simplest way: after backward, one all-reduce per parameter, in registration order, then divide
 * by the number of workers W. P parameters cost P messages' latency per step (P·α in the α–β model), which is why the
 * practical version packs them into buckets ({@link DataParallelBucketed}); and nothing is sent until backward is over
 * ({@link DataParallelOverlapped}). PyTorch's first DDP prototype (Li et al., VLDB 2020, section 3.2.1); picotron's
 * {@code DataParallelNaive}.
 */
public class DataParallelNaive extends DataParallel {

    /** One flat buffer per parameter, made once and reused every step (a step allocates nothing here). */
    private final INDArray[] buffers;

    /**
     * A collective: every rank constructs its own at the same point (rank 0's weights are broadcast).
     *
     * @throws IllegalArgumentException see {@link DataParallel#DataParallel}
     */
    public DataParallelNaive(Communicator comm, Module model) {
        super(comm, model);
        buffers = new INDArray[parameters.size()];
        for (int i = 0; i < buffers.length; i++) {
            Tensor p = parameters.get(i);
            buffers[i] = Nd4j.create(p.dataType(), p.shape());   // outside any Arena: lives with this object
        }
    }

    @Override
    protected void reduce() {
        int w = comm.worldSize();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            long start = System.nanoTime();
            INDArray buf = buffers[i];
            if (p.grad() == null) buf.assign(0);
            else buf.assign(p.grad());
            try (var lend = ThreadCommunicator.recycling(comm)) {   // no message allocated per step
                comm.allReduce(buf);
            }
            setMeanGrad(p, buf, w);
            record(WorkerEvent.COMMUNICATION, "AR " + i, start, System.nanoTime());
        }
    }
}
