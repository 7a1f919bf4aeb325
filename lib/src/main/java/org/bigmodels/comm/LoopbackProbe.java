package org.bigmodels.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Measures this machine's loopback TCP link with plain byte arrays (no ND4J, no serialization): a ping-pong between
 * two threads over one 127.0.0.1 connection. Half a round trip is one message's time; fitting those times against
 * the message size gives the α–β model "this machine, measured" ({@link CostModel#fit}), and the large-message
 * bandwidth is the limit any socket all-reduce here can reach.
 */
public final class LoopbackProbe {
    private LoopbackProbe() {}

    /** Message sizes of the default measurement, bytes: 1 B … 4 MB. */
    public static final int[] SIZES = {1, 1 << 10, 1 << 14, 1 << 17, 1 << 20, 1 << 22};

    /** Fits α and β to {@link #pingPong} times for {@link #SIZES}. Takes about a second. */
    public static CostModel measure() {
        double[] bytes = new double[SIZES.length];
        double[] secs = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
            bytes[i] = SIZES[i];
            secs[i] = pingPong(SIZES[i], SIZES[i] >= (1 << 20) ? 10 : 200);
        }
        return CostModel.fit("this machine, measured (loopback TCP)", bytes, secs,
                "ping-pong of raw byte arrays between two threads over 127.0.0.1, half the median round trip");
    }

    /**
     * The median one-way time of a message of {@code bytes} bytes over a loopback TCP connection, seconds: half of
     * the median round trip over {@code repeats} round trips (after a warm-up).
     *
     * @throws IllegalArgumentException for bytes &lt; 1 or repeats &lt; 1
     */
    public static double pingPong(int bytes, int repeats) {
        if (bytes < 1 || repeats < 1) {
            throw new IllegalArgumentException("LoopbackProbe.pingPong: expected bytes >= 1 and repeats >= 1, got "
                    + bytes + ", " + repeats);
        }
        try (ServerSocket server = new ServerSocket(0, 1, SocketCommunicator.loopback())) {
            server.setSoTimeout(10_000);
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(30_000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    byte[] buf = new byte[bytes];
                    for (int i = 0; i < repeats + 3; i++) {
                        in.readFully(buf);
                        out.write(buf);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the measuring side reports the failure
                }
            }, "loopback-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket s = new Socket(SocketCommunicator.loopback(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                byte[] buf = new byte[bytes];
                double[] t = new double[repeats];
                for (int i = 0; i < repeats + 3; i++) {
                    long t0 = System.nanoTime();
                    out.write(buf);
                    out.flush();
                    in.readFully(buf);
                    if (i >= 3) {
                        t[i - 3] = (System.nanoTime() - t0) * 1e-9;
                    }
                }
                java.util.Arrays.sort(t);
                return t[repeats / 2] / 2;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("LoopbackProbe: loopback ping-pong failed: " + e.getMessage(), e);
        }
    }
}
