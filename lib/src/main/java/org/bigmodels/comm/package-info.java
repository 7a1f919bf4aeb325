/**
 * Collective communication from scratch: a group of N workers that exchange arrays point to point, and the
 * collectives of data-parallel training (broadcast, reduce, all-reduce, reduce-scatter, all-gather, barrier) written
 * on top, as PyTorch's {@code torch.distributed} with the Gloo backend provides them.
 *
 * <p>Teaches how N replicas agree on one gradient: three all-reduce algorithms side by side (naive: reduce to one
 * rank and broadcast back; tree: a binomial-tree reduce then broadcast; ring: reduce-scatter then all-gather), the bytes
 * each rank sends against the formula, the α–β cost model that predicts their time for any N and message size, and
 * what real processes add: serialization, a rendezvous, bandwidth measured against a raw loopback copy, and failures
 * (a dead, aborting or frozen peer) reported by name within a time-out instead of a hang. Taught in
 * 05-data-parallel; {@link org.bigmodels.dataparallel} and {@link org.bigmodels.paramserver} build on it.
 *
 * <p>Main classes: {@link org.bigmodels.comm.Communicator} (the interface: rank, world size, send/recv, the
 * collectives, byte counters), its two backends {@link org.bigmodels.comm.ThreadCommunicator} (worker threads in
 * one JVM, what the notebooks use) and {@link org.bigmodels.comm.SocketCommunicator} (worker processes over
 * loopback TCP, started by {@link org.bigmodels.comm.Launcher}, like {@code torchrun}); the algorithms
 * {@link org.bigmodels.comm.NaiveAllReduce}, {@link org.bigmodels.comm.TreeAllReduce},
 * {@link org.bigmodels.comm.RingAllReduce} behind {@link org.bigmodels.comm.AllReduce}; the
 * {@link org.bigmodels.comm.CostModel} (α–β) and {@link org.bigmodels.comm.LoopbackProbe} (this machine's link,
 * measured); {@link org.bigmodels.comm.CommunicationException} for every failure. The socket benchmark is
 * {@link org.bigmodels.bench.AllReduceBenchmark}. Start reading at {@code Communicator}, then {@code RingAllReduce}.
 */
package org.bigmodels.comm;
