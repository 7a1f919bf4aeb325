package org.bigmodels.paramserver;

/**
 * What a worker pulled: a copy of every parameter, the version of each shard it was read at, and the bookkeeping
 * the server needs when the gradient computed on it is pushed back (which worker, which step).
 *
 * @param worker the worker that pulled
 * @param step the worker's step (0-based; its number of pushes so far)
 * @param parameters the parameters, float[P][length_p], the caller's to use (a copy)
 * @param versions the version of each shard at the read, long[S]
 * @param clockLag how many steps this worker was ahead of the slowest live worker when it pulled (0 under BSP,
 *     at most s under SSP)
 */
public record ParameterSnapshot(int worker, int step, float[][] parameters, long[] versions, int clockLag) {}
