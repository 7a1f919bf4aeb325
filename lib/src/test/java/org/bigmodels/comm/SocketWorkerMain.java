package org.bigmodels.comm;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The worker program of {@link SocketProcessTest}, run in N separate JVMs by {@link Launcher}.
 *
 * <p>{@code allreduce}: every algorithm, on lengths 0..101 and both types, against the plain double-loop sum, and
 * the bytes sent against the formulas; prints "OK rank r" or throws (exit 1).
 * {@code die K}: rank K halts its JVM abruptly (as a kill would) before the all-reduce; the others must get a
 * CommunicationException naming rank K, print "CAUGHT ..." and exit with status 7.
 */
public final class SocketWorkerMain {
    public static void main(String[] args) {
        String scenario = args[0];
        Launcher.worker(comm -> {
            if (scenario.equals("allreduce")) {
                allReduce(comm);
            } else if (scenario.equals("die")) {
                int victim = Integer.parseInt(args[1]);
                comm.barrier();
                if (comm.rank() == victim) {
                    Runtime.getRuntime().halt(3);
                }
                try {
                    INDArray a = org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, 1000);
                    for (int i = 0; i < 3; i++) {
                        new RingAllReduce().allReduce(comm, a);
                    }
                    System.out.println("NOT CAUGHT rank " + comm.rank());
                } catch (CommunicationException e) {
                    System.out.println("CAUGHT " + e.getMessage());
                    System.out.flush();
                    Runtime.getRuntime().halt(7);
                }
            }
            return null;
        });
    }

    static void allReduce(Communicator comm) {
        int n = comm.worldSize();
        for (AllReduce algo : AllReduceTest.ALGORITHMS) {
            for (int length : AllReduceTest.LENGTHS) {
                for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
                    double[][] x = AllReduceTest.inputs(n, length, 31L * n + length);
                    double[] expected = AllReduceTest.plainSum(x);
                    INDArray a = AllReduceTest.array(x[comm.rank()], type);
                    comm.resetStats();
                    algo.allReduce(comm, a);
                    double[] got = a.castTo(DataType.DOUBLE).toDoubleVector();
                    double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
                    for (int i = 0; i < length; i++) {
                        if (Math.abs(got[i] - expected[i]) > tol) {
                            throw new AssertionError(algo.name() + " N=" + n + " length " + length + " " + type
                                    + " rank " + comm.rank() + " element " + i + ": expected " + expected[i] + ", got "
                                    + got[i]);
                        }
                    }
                    long bytes = switch (algo.name()) {
                        case "naive" -> NaiveAllReduce.bytesSent(comm.rank(), n, length, type.width());
                        case "tree" -> TreeAllReduce.bytesSent(comm.rank(), n, length, type.width());
                        default -> RingAllReduce.bytesSent(comm.rank(), n, length, type.width());
                    };
                    if (bytes != comm.totalBytesSent()) {
                        throw new AssertionError(algo.name() + " N=" + n + " length " + length + " rank " + comm.rank()
                                + ": counted " + comm.totalBytesSent() + " bytes, formula " + bytes);
                    }
                }
            }
        }
        System.out.println("OK rank " + comm.rank());
    }
}
