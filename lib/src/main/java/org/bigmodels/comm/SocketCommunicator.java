package org.bigmodels.comm;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The process backend: each worker is a JVM on this machine, and every pair of workers shares one TCP connection
 * over the loopback interface 127.0.0.1 (never another address), as {@code torchrun} with PyTorch's Gloo backend
 * does. Start the workers with {@link Launcher}; a worker gets its communicator from {@link #fromEnvironment()}.
 *
 * <p><b>Rendezvous</b> (how N processes find each other, Gloo's "store"): rank 0 listens on the agreed port
 * ({@code bigmodels.port}, like MASTER_PORT); every other rank opens its own listening socket on a free port, connects
 * to rank 0 and says hello (rank, world size, its port); rank 0 checks the hellos and answers each with the table of
 * all ports. Then rank j connects to every rank i with 0 &lt; i &lt; j, so each pair has exactly one connection.
 * Connecting retries until the time-out (rank 0 may start last); a missing, duplicate or inconsistent rank fails the
 * rendezvous with a message naming it.
 *
 * <p><b>Wire format</b> (real serialization): each message is a frame of a 16-byte header — int kind (DATA, GOODBYE,
 * ABORT), int dtype (0 FLOAT, 1 DOUBLE, 2 UTF-8 text), long length in elements (bytes for text) — then the payload:
 * the elements in row-major order as IEEE 754 values, everything little-endian. Every bit pattern (NaN payloads, −0,
 * subnormals) arrives unchanged.
 *
 * <p><b>Zero-copy path</b>: the payload never passes through a Java array. A send hands the kernel a
 * {@link ByteBuffer} view of the array's own native memory ({@code data().asNio()}, from the array's offset) together
 * with the header in one gathering write on a {@link SocketChannel}; the reader thread allocates the one received
 * array and reads the payload straight into its native memory. On a little-endian machine (x86, ARM) the native
 * bytes are the wire bytes; on a big-endian one, or for a non-contiguous array, one bulk copy converts. Nagle's
 * algorithm is off (TCP_NODELAY), so small messages leave at once; the kernel's socket buffers keep their
 * auto-tuned sizes (setting them by hand switches auto-tuning off and, capped by {@code net.core.wmem_max}, is no
 * faster on loopback).
 *
 * <p>A reader thread per connection decodes frames into an unbounded inbox, so a sender never waits for the
 * receiver's program to reach its receive (no deadlock when both ends send first, as the ring does).
 *
 * <p><b>Failure</b>: nothing waits without a bound. A receive waits at most {@link #timeoutMillis()}. A send fails
 * when the peer's side accepts no byte for {@link #timeoutMillis()} (the connection's buffers are full: the peer's
 * process is alive but frozen and its reader no longer drains), naming the peer ("rank 1 stopped reading ...");
 * the connection is then closed, as half a frame was sent. When a peer's connection ends without a GOODBYE frame
 * (its process died or was killed), or it sent ABORT (its code threw), every later receive on this rank — from that
 * peer or, once queued messages are used up, from any peer — throws a CommunicationException naming the peer
 * ("rank 2 died: connection lost ..."). Connect and accept are bounded by the same time-out.
 */
public final class SocketCommunicator extends AbstractCommunicator {
    /** System properties a worker reads in {@link #fromEnvironment()} (set by {@link Launcher}). */
    public static final String RANK_PROPERTY = "bigmodels.rank";
    public static final String WORLD_PROPERTY = "bigmodels.world";
    public static final String PORT_PROPERTY = "bigmodels.port";
    public static final String TIMEOUT_PROPERTY = "bigmodels.timeoutMillis";
    /** Default receive, send-stall, connect and rendezvous time-out, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

    static final int DATA = 1;
    static final int GOODBYE = 2;
    static final int ABORT = 3;
    static final int HELLO_MAGIC = 0x42494731; // "BIG1"
    static final int HEADER_BYTES = 16;
    static final ByteOrder WIRE_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long SLICE_MILLIS = 10;
    private static final long READER_SLICE_MILLIS = 200;

    /** The one address this backend ever uses. */
    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /**
     * One connection to one peer: its channel (non-blocking once the rendezvous is over), the writer's selector and
     * header buffer (guarded by the link's lock), and the reader thread's inbox.
     */
    private final class Link {
        final int peer;
        final SocketChannel channel;
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_BYTES).order(WIRE_ORDER);
        Selector writable;
        volatile String ended;     // null while open; why the peer's side ended
        Thread reader;

        Link(int peer, Socket socket) throws IOException {
            this.peer = peer;
            this.channel = socket.getChannel();
            socket.setTcpNoDelay(true);
        }

        /** Leaves the rendezvous' blocking mode and starts the reader thread. */
        void start() throws IOException {
            channel.socket().setSoTimeout(0);
            channel.configureBlocking(false);
            writable = Selector.open();
            channel.register(writable, SelectionKey.OP_WRITE);
            reader = new Thread(this::readLoop, "socket-rank-" + rank() + "-from-" + peer);
            reader.setDaemon(true);
            reader.start();
        }

        void readLoop() {
            try (Selector readable = Selector.open()) {
                channel.register(readable, SelectionKey.OP_READ);
                ByteBuffer h = ByteBuffer.allocateDirect(HEADER_BYTES).order(WIRE_ORDER);
                while (true) {
                    h.clear();
                    fill(readable, h);
                    int kind = h.getInt(0);
                    int dtype = h.getInt(4);
                    long length = h.getLong(8);
                    if (kind == DATA) {
                        inbox.put(readArray(readable, dtype, length));
                    } else if (kind == GOODBYE) {
                        end("closed its communicator", false);
                        return;
                    } else if (kind == ABORT) {
                        if (length < 0 || length > 1 << 20) {
                            throw new IOException("corrupt ABORT frame: " + length + " bytes of text");
                        }
                        ByteBuffer text = ByteBuffer.allocate((int) length);
                        fill(readable, text);
                        end("failed: " + new String(text.array(), StandardCharsets.UTF_8), true);
                        return;
                    } else {
                        end("sent a corrupt frame (kind " + kind + ")", true);
                        return;
                    }
                }
            } catch (EOFException e) {
                end("died: connection lost without a goodbye (did its process exit or get killed?)", true);
            } catch (IOException e) {
                end("died: connection lost (" + e.getMessage() + ")", true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (isClosed()) {
                    closeLink(this);
                }
            }
        }

        /** Reads until {@code b} is full, waiting for data in slices (the channel is non-blocking). */
        void fill(Selector readable, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                int k = channel.read(b);
                if (k < 0) {
                    throw new EOFException();
                }
                if (k == 0) {
                    readable.select(READER_SLICE_MILLIS);
                    readable.selectedKeys().clear();
                }
            }
        }

        /** The payload of a DATA frame, read straight into the native memory of one freshly allocated array. */
        INDArray readArray(Selector readable, int dtype, long length) throws IOException {
            if ((dtype != 0 && dtype != 1) || length < 0 || length > Integer.MAX_VALUE / 8) {
                throw new IOException("corrupt DATA frame header: dtype " + dtype + ", length " + length);
            }
            DataType type = dtype == 0 ? DataType.FLOAT : DataType.DOUBLE;
            if (length == 0) {
                return Nd4j.create(type, 0);
            }
            INDArray a = Nd4j.createUninitialized(type, length);
            ByteBuffer dst = nativeBytes(a);
            if (ByteOrder.nativeOrder() == WIRE_ORDER) {
                fill(readable, dst);
            } else {
                ByteBuffer wire = ByteBuffer.allocateDirect(dst.remaining());
                fill(readable, wire);
                wire.flip();
                convert(wire, WIRE_ORDER, dst, ByteOrder.nativeOrder(), type);
            }
            return a;
        }

        /** The peer's side ended (read by the reader thread); ignored after this rank's own close or abort. */
        void end(String why, boolean failure) {
            if (!isClosed()) {
                fail(why, failure);
            }
        }

        /** Records the first reason this link ended and wakes a receiver waiting on it. */
        synchronized void fail(String why, boolean failure) {
            if (ended != null) {
                return;
            }
            ended = why;
            if (failure && groupFailure == null) {
                groupFailure = "rank " + peer + " " + why;
            }
            inbox.add(END);
        }

        /**
         * Writes one frame: the header and {@code payload} (may be null) in gathering writes. When the peer accepts no
         * byte for the time-out the frame is abandoned half-written, the link closed, and {@link StalledException}
         * thrown.
         */
        synchronized void write(int kind, int dtype, long length, ByteBuffer payload) throws IOException {
            if (!channel.isOpen()) {
                throw new IOException("the connection is closed");
            }
            header.clear();
            header.putInt(kind).putInt(dtype).putLong(length).flip();
            ByteBuffer[] frame = payload == null ? new ByteBuffer[] {header} : new ByteBuffer[] {header, payload};
            long stallNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis());
            long lastProgress = System.nanoTime();
            while (header.hasRemaining() || (payload != null && payload.hasRemaining())) {
                long k = channel.write(frame);
                long now = System.nanoTime();
                if (k > 0) {
                    lastProgress = now;
                    continue;
                }
                if (ended != null) {
                    throw new IOException("rank " + peer + " " + ended);
                }
                long left = stallNanos - (now - lastProgress);
                if (left <= 0) {
                    String why = "stopped reading: it accepted no data for " + timeoutMillis()
                            + " ms (is its process frozen, stopped or swapped out?)";
                    fail(why, true);
                    closeLink(this);
                    throw new StalledException(why);
                }
                try {
                    writable.select(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                    writable.selectedKeys().clear();
                } catch (ClosedSelectorException e) {
                    throw new IOException("the connection was closed during the send (abort from another thread?)", e);
                }
            }
        }
    }

    /** A send abandoned because the peer stopped accepting data (see {@link Link#write}). */
    private static final class StalledException extends IOException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    private static final Object END = new Object();

    private final Link[] links;
    private volatile String groupFailure;

    private SocketCommunicator(int rank, int worldSize, long timeoutMillis) {
        super(rank, worldSize, timeoutMillis);
        this.links = new Link[worldSize];
    }

    /**
     * Joins the group as {@code rank} of {@code worldSize}: rank 0 listens on 127.0.0.1:{@code rendezvousPort}, the
     * others connect to it. Returns once this rank is connected to every other rank.
     *
     * @param rendezvousPort the agreed TCP port of rank 0 on the loopback interface, 1..65535
     * @param timeoutMillis  bound on the rendezvous and on every receive, ms
     * @throws IllegalArgumentException for a bad rank, world size, port or time-out
     * @throws CommunicationException   when the rendezvous fails or times out (naming the missing ranks)
     */
    public static SocketCommunicator connect(int rank, int worldSize, int rendezvousPort, long timeoutMillis) {
        checkGroup(rank, worldSize);
        if (rendezvousPort < 1 || rendezvousPort > 65535) {
            throw new IllegalArgumentException("SocketCommunicator: expected a rendezvous port in 1..65535, got "
                    + rendezvousPort);
        }
        if (rank == 0) {
            ServerSocket server;
            try {
                server = ServerSocketChannel.open().socket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(loopback(), rendezvousPort), worldSize + 8);
            } catch (IOException e) {
                throw new CommunicationException("rank 0: cannot listen on 127.0.0.1:" + rendezvousPort + " ("
                        + e.getMessage() + "); choose another port", e);
            }
            return root(server, worldSize, timeoutMillis);
        }
        return member(rank, worldSize, rendezvousPort, timeoutMillis);
    }

    /**
     * The communicator of a worker started by {@link Launcher}: rank, world size, port and time-out from the system
     * properties {@value #RANK_PROPERTY}, {@value #WORLD_PROPERTY}, {@value #PORT_PROPERTY},
     * {@value #TIMEOUT_PROPERTY}, or else the torchrun-style environment variables RANK, WORLD_SIZE, MASTER_PORT.
     *
     * @throws IllegalStateException when rank, world size or port is not given
     */
    public static SocketCommunicator fromEnvironment() {
        int rank = setting(RANK_PROPERTY, "RANK");
        int world = setting(WORLD_PROPERTY, "WORLD_SIZE");
        int port = setting(PORT_PROPERTY, "MASTER_PORT");
        String t = System.getProperty(TIMEOUT_PROPERTY);
        long timeout = t == null ? DEFAULT_TIMEOUT_MILLIS : Long.parseLong(t);
        return connect(rank, world, port, timeout);
    }

    private static int setting(String property, String env) {
        String v = System.getProperty(property, System.getenv(env));
        if (v == null) {
            throw new IllegalStateException("SocketCommunicator.fromEnvironment: neither -D" + property
                    + " nor the environment variable " + env + " is set; start workers with Launcher.run");
        }
        return Integer.parseInt(v.trim());
    }

    /**
     * {@code worldSize} connected socket communicators in this JVM (rank 0 on a free loopback port), made in parallel
     * threads: for tests and for measuring the wire without starting processes.
     */
    public static List<Communicator> localGroup(int worldSize, long timeoutMillis) {
        checkGroup(0, worldSize);
        ServerSocket server;
        try {
            server = listen(worldSize);
        } catch (IOException e) {
            throw new CommunicationException("cannot listen on a loopback port: " + e.getMessage(), e);
        }
        int port = server.getLocalPort();
        Communicator[] out = new Communicator[worldSize];
        List<Communicator> placeholders = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            placeholders.add(new Placeholder(r, worldSize, timeoutMillis));
        }
        WorkerThreads.run(placeholders, timeoutMillis + 5_000, c -> {
            out[c.rank()] = c.rank() == 0 ? root(server, worldSize, timeoutMillis)
                    : member(c.rank(), worldSize, port, timeoutMillis);
            return null;
        });
        return List.of(out);
    }

    /** Stands in for a communicator while {@link #localGroup} sets up the real ones. */
    private static final class Placeholder extends AbstractCommunicator {
        Placeholder(int rank, int worldSize, long timeoutMillis) {
            super(rank, worldSize, timeoutMillis);
        }

        @Override
        protected void transmit(INDArray data, int dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected INDArray receive(int src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            markClosed();
        }
    }

    private static SocketCommunicator root(ServerSocket server, int worldSize, long timeoutMillis) {
        SocketCommunicator c = new SocketCommunicator(0, worldSize, timeoutMillis);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int[] ports = new int[worldSize];
        try (server) {
            while (c.countLinks() < worldSize - 1) {
                int left = (int) Math.max(1, deadline - System.currentTimeMillis());
                server.setSoTimeout(left);
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new CommunicationException("rank 0: rendezvous timed out after " + timeoutMillis
                            + " ms; ranks " + c.missingLinks() + " never connected to 127.0.0.1:" + server.getLocalPort());
                }
                s.setSoTimeout(left);
                DataInputStream in = new DataInputStream(s.getInputStream());
                int magic = in.readInt();
                int r = in.readInt();
                int w = in.readInt();
                int port = in.readInt();
                if (magic != HELLO_MAGIC) {
                    s.close();
                    continue;     // not one of ours (a port scanner, a stale worker): ignore
                }
                if (w != worldSize || r <= 0 || r >= worldSize || c.links[r] != null) {
                    s.close();
                    throw new CommunicationException("rank 0: rendezvous: a worker says it is rank " + r + " of " + w
                            + ", but rank 0 expects ranks 1.." + (worldSize - 1) + " of " + worldSize
                            + (r > 0 && r < worldSize && c.links[r] != null ? " and rank " + r + " already joined" : "")
                            + "; start every worker with the same world size and distinct ranks");
                }
                ports[r] = port;
                c.links[r] = c.new Link(r, s);
            }
            for (int r = 1; r < worldSize; r++) {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        c.links[r].channel.socket().getOutputStream()));
                for (int p : ports) {
                    out.writeInt(p);
                }
                out.flush();
            }
        } catch (IOException e) {
            c.closeSockets();
            throw new CommunicationException("rank 0: rendezvous failed: " + e, e);
        } catch (RuntimeException e) {
            c.closeSockets();
            throw e;
        }
        c.startReaders();
        return c;
    }

    private static SocketCommunicator member(int rank, int worldSize, int rendezvousPort, long timeoutMillis) {
        SocketCommunicator c = new SocketCommunicator(rank, worldSize, timeoutMillis);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try (ServerSocket own = listen(worldSize)) {
            Socket toRoot = connectWithRetry(rank, 0, rendezvousPort, deadline, timeoutMillis);
            DataOutputStream out = new DataOutputStream(toRoot.getOutputStream());
            out.writeInt(HELLO_MAGIC);
            out.writeInt(rank);
            out.writeInt(worldSize);
            out.writeInt(own.getLocalPort());
            out.flush();
            toRoot.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            DataInputStream in = new DataInputStream(toRoot.getInputStream());
            int[] ports = new int[worldSize];
            try {
                for (int i = 0; i < worldSize; i++) {
                    ports[i] = in.readInt();
                }
            } catch (SocketTimeoutException e) {
                throw new CommunicationException("rank " + rank + ": rendezvous timed out after " + timeoutMillis
                        + " ms waiting for rank 0's table of ports; did every rank start?");
            } catch (EOFException e) {
                throw new CommunicationException("rank " + rank + ": rendezvous: rank 0 closed the connection; it "
                        + "rejected this worker (see rank 0's error) or died");
            }
            c.links[0] = c.new Link(0, toRoot);
            for (int i = 1; i < rank; i++) {        // connect to lower ranks, they accept
                Socket s = connectWithRetry(rank, i, ports[i], deadline, timeoutMillis);
                DataOutputStream o = new DataOutputStream(s.getOutputStream());
                o.writeInt(HELLO_MAGIC);
                o.writeInt(rank);
                o.writeInt(worldSize);
                o.writeInt(0);
                o.flush();
                c.links[i] = c.new Link(i, s);
            }
            while (c.countLinks() < worldSize - 1) { // accept higher ranks
                own.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                Socket s;
                try {
                    s = own.accept();
                } catch (SocketTimeoutException e) {
                    throw new CommunicationException("rank " + rank + ": rendezvous timed out after " + timeoutMillis
                            + " ms; ranks " + c.missingLinks() + " never connected");
                }
                s.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                DataInputStream hin = new DataInputStream(s.getInputStream());
                int magic = hin.readInt();
                int r = hin.readInt();
                int w = hin.readInt();
                hin.readInt();
                if (magic != HELLO_MAGIC || w != worldSize || r <= rank || r >= worldSize || c.links[r] != null) {
                    s.close();
                    throw new CommunicationException("rank " + rank + ": rendezvous: unexpected hello from rank " + r
                            + " of " + w + "; expected one of ranks " + c.missingLinks() + " of " + worldSize);
                }
                c.links[r] = c.new Link(r, s);
            }
        } catch (IOException e) {
            c.closeSockets();
            throw new CommunicationException("rank " + rank + ": rendezvous failed: " + e, e);
        } catch (RuntimeException e) {
            c.closeSockets();
            throw e;
        }
        c.startReaders();
        return c;
    }

    /** A listening socket with a channel, on a free loopback port. */
    private static ServerSocket listen(int worldSize) throws IOException {
        ServerSocket s = ServerSocketChannel.open().socket();
        s.bind(new InetSocketAddress(loopback(), 0), worldSize + 8);
        return s;
    }

    private static Socket connectWithRetry(int rank, int peer, int port, long deadline, long timeoutMillis)
            throws IOException {
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            Socket s = SocketChannel.open().socket();
            try {
                s.connect(new InetSocketAddress(loopback(), port),
                        (int) Math.max(1, Math.min(1_000, deadline - System.currentTimeMillis())));
                return s;
            } catch (IOException e) {
                last = e;
                s.close();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CommunicationException("rank " + rank + ": interrupted while connecting to rank " + peer);
                }
            }
        }
        throw new CommunicationException("rank " + rank + ": could not connect to rank " + peer + " at 127.0.0.1:"
                + port + " within " + timeoutMillis + " ms (" + (last == null ? "no attempt" : last.getMessage())
                + "); is it running?", last);
    }

    private int countLinks() {
        int k = 0;
        for (Link l : links) {
            if (l != null) {
                k++;
            }
        }
        return k;
    }

    private List<Integer> missingLinks() {
        List<Integer> m = new ArrayList<>();
        for (int r = 0; r < links.length; r++) {
            if (r != rank() && links[r] == null) {
                m.add(r);
            }
        }
        return m;
    }

    private void startReaders() {
        try {
            for (Link l : links) {
                if (l != null) {
                    l.start();
                }
            }
        } catch (IOException e) {
            closeSockets();
            throw new CommunicationException("rank " + rank() + ": cannot configure sockets: " + e, e);
        }
    }

    // ---------------------------------------------------------------- serialization

    /**
     * The bytes of a contiguous row-major array in its own native memory: a view of {@code data().asNio()} from the
     * array's offset, {@code length × width} bytes, in the machine's byte order. Null when the array is not one
     * contiguous row-major block (then the caller copies it once).
     */
    static ByteBuffer nativeBytes(INDArray a) {
        // memory order is row-major order for a 'c' array, and for any array with at most one dimension above 1
        // (ND4J marks interval views of vectors 'f')
        boolean rowMajor = a.ordering() == 'c' || Arrays.stream(a.shape()).filter(d -> d > 1).count() <= 1;
        boolean contiguous = rowMajor && (a.length() == 1 || a.elementWiseStride() == 1);
        ByteBuffer all = contiguous ? a.data().asNio() : null;
        int width = a.dataType().width();
        long from = a.offset() * width;
        long to = from + a.length() * width;
        if (all == null || to > all.capacity()) {
            return null;
        }
        ByteBuffer b = all.duplicate();
        b.limit((int) to).position((int) from);
        return b.slice().order(ByteOrder.nativeOrder());
    }

    /**
     * Copies the {@code type} elements of {@code src} (byte order {@code from}) into {@code dst} (byte order
     * {@code to}) in one bulk put of FloatBuffer/DoubleBuffer views: the byte swap between a big-endian machine and
     * the little-endian wire. Advances {@code src} and {@code dst} by the bytes copied.
     */
    static void convert(ByteBuffer src, ByteOrder from, ByteBuffer dst, ByteOrder to, DataType type) {
        ByteBuffer s = src.slice().order(from);
        ByteBuffer d = dst.slice().order(to);
        if (type == DataType.FLOAT) {
            d.asFloatBuffer().put(s.asFloatBuffer());
        } else {
            d.asDoubleBuffer().put(s.asDoubleBuffer());
        }
        src.position(src.limit());
        dst.position(dst.limit());
    }

    /** The payload of a DATA frame for {@code data}, in wire order: a view of its memory when it can be one. */
    static ByteBuffer wireBytes(INDArray data) {
        ByteBuffer b = nativeBytes(data);
        if (b == null) {
            b = nativeBytes(data.dup('c'));
        }
        if (ByteOrder.nativeOrder() == WIRE_ORDER) {
            return b;
        }
        ByteBuffer wire = ByteBuffer.allocateDirect(b.remaining());
        convert(b, ByteOrder.nativeOrder(), wire, WIRE_ORDER, data.dataType());
        return wire.flip();
    }

    // ---------------------------------------------------------------- point to point

    @Override
    protected void transmit(INDArray data, int dst) {
        Link l = links[dst];
        if (l.ended != null) {
            throw new CommunicationException("rank " + rank() + ": cannot send to rank " + dst + ": rank " + dst + " "
                    + l.ended);
        }
        try {
            ByteBuffer payload = data.length() == 0 ? null : wireBytes(data);
            l.write(DATA, data.dataType() == DataType.FLOAT ? 0 : 1, data.length(), payload);
        } catch (StalledException e) {
            throw new CommunicationException("rank " + rank() + ": send to rank " + dst + " failed: rank " + dst + " "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new CommunicationException("rank " + rank() + ": send to rank " + dst + " failed: " + e.getMessage()
                    + (l.ended != null ? "; rank " + dst + " " + l.ended : "; did rank " + dst + "'s process die?"), e);
        }
    }

    @Override
    protected INDArray receive(int src) {
        Link l = links[src];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis());
        try {
            while (true) {
                Object m = l.inbox.poll(SLICE_MILLIS, TimeUnit.MILLISECONDS);
                if (m instanceof INDArray a) {
                    return a;
                }
                if (m == END) {
                    l.inbox.add(END);   // every later receive fails too
                    throw new CommunicationException("rank " + rank() + ": receive from rank " + src + " failed: rank "
                            + src + " " + l.ended);
                }
                String g = groupFailure;
                if (g != null) {
                    throw new CommunicationException("rank " + rank() + ": receive from rank " + src
                            + " abandoned: " + g);
                }
                if (System.nanoTime() > deadline) {
                    throw new CommunicationException("rank " + rank() + ": receive from rank " + src + " timed out after "
                            + timeoutMillis() + " ms; is rank " + src + " stuck, or calling a different collective?");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationException("rank " + rank() + ": interrupted while receiving from rank " + src, e);
        }
    }

    /**
     * Says GOODBYE to every peer and half-closes the connections without waiting: each connection is closed fully by
     * its reader thread when the peer's side ends, so that a peer still receiving is told this rank closed (not died)
     * and no data in flight is lost to a reset.
     */
    @Override
    public void close() {
        if (!markClosed()) {
            return;
        }
        for (Link l : links) {
            if (l != null) {
                try {
                    l.write(GOODBYE, 0, 0, null);
                    l.channel.shutdownOutput();
                } catch (IOException ignored) {
                    // the peer is gone already; nothing to tell it
                }
                if (l.reader == null || !l.reader.isAlive()) {
                    closeLink(l);
                }
            }
        }
    }

    /** Tells every peer this rank failed (an ABORT frame with the cause) and closes the connections at once. */
    @Override
    public void abort(Throwable cause) {
        if (!markClosed()) {
            return;
        }
        String text = cause == null ? "aborted" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (Link l : links) {
            if (l != null) {
                try {
                    l.write(ABORT, 2, bytes.length, ByteBuffer.wrap(bytes));
                } catch (IOException ignored) {
                    // the peer is gone already
                }
            }
        }
        closeSockets();
    }

    private static void closeQuietly(Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Closes a link's channel and its writer's selector (which releases the channel's registration). */
    private static void closeLink(Link l) {
        closeQuietly(l.channel);
        closeQuietly(l.writable);
    }

    private void closeSockets() {
        for (Link l : links) {
            if (l != null) {
                closeLink(l);
            }
        }
    }

    @Override
    public String toString() {
        return "SocketCommunicator[rank " + rank() + " of " + worldSize() + ", links "
                + Arrays.toString(Arrays.stream(links).map(l -> l == null ? "-" : String.valueOf(l.channel.socket().getPort()))
                .toArray()) + "]";
    }
}
