package org.rapaio.jupyter.kernel.channels;

/**
 * Course patch of rapaio-jupyter-kernel 3.0.x's LoopThread (same API), put ahead of the kernel jar on its class path
 * by {@code ./course setup}.
 *
 * <p>Two start-up races make the stock kernel hang forever, never answering kernel_info_request (seen here on a busy
 * 2-core machine, about one start in three):
 * <ul>
 *   <li>{@code start()} set {@code running = true} after {@code Thread.start()}, so a thread scheduled at once saw
 *       {@code false} and ended: that channel (often the shell) was dead;</li>
 *   <li>a message arriving before the kernel had registered its handlers threw a NullPointerException out of the
 *       loop body, which also ended the thread.</li>
 * </ul>
 * Here the flag is set before the thread starts, and an exception in one iteration is reported and the loop goes
 * on (the client resends its request).
 */
public final class LoopThread extends Thread {

    private volatile boolean running = false;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                System.err.println("[" + getName() + "] loop iteration failed, continuing: " + e);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
