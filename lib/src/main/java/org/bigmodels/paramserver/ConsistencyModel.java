package org.bigmodels.paramserver;

/**
 * When a parameter server applies a pushed gradient, and how far a worker may run ahead of the others.
 *
 * <ul>
 *   <li>{@link #SYNCHRONOUS}: bulk synchronous parallel (BSP). The server waits for the gradient of every worker for
 *       step t, applies their average once, and only then may any worker read step t+1's parameters. Equal to SGD on
 *       the concatenated batch; as slow as the slowest worker.</li>
 *   <li>{@link #ASYNCHRONOUS}: each push is applied as it arrives and no one ever waits (Downpour SGD, Dean et al.,
 *       NeurIPS 2012; lock-free in the limit: Hogwild!, Niu et al., NeurIPS 2011). Stragglers do not slow the others,
 *       but gradients are computed on stale parameters, with no bound on how stale.</li>
 *   <li>{@link #BOUNDED_STALENESS}: stale synchronous parallel (SSP, Ho et al., "More effective distributed ML via a
 *       stale synchronous parallel parameter server", NeurIPS 2013): pushes are applied as they arrive, but a worker
 *       about to start step c waits until the slowest worker has finished at least c - s steps.</li>
 * </ul>
 */
public enum ConsistencyModel {
    SYNCHRONOUS, ASYNCHRONOUS, BOUNDED_STALENESS
}
