/**
 * Parameter servers: data parallelism where the parameters live on servers and workers push gradients and pull
 * parameters, synchronously (BSP), asynchronously (Downpour/Hogwild-style) or with bounded staleness (SSP), with
 * the staleness of every applied gradient measured and faults injected on purpose.
 *
 * <p>Teaches why asynchronous training tolerates stragglers but computes on stale parameters, how SSP bounds that,
 * what a synchronous server must do when a worker dies (stop, or continue with the survivors), and how to prove by
 * accounting that no gradient is lost or applied twice. Taught in 06-parameter-servers-and-async.
 *
 * <p>Main classes: {@link org.bigmodels.paramserver.ParameterServer} (start here: its class comment states the
 * protocol), {@link org.bigmodels.paramserver.ConsistencyModel}, {@link org.bigmodels.paramserver.FailurePolicy},
 * {@link org.bigmodels.paramserver.FaultPlan} (also for the data-parallel trainers),
 * {@link org.bigmodels.paramserver.ServerTrainingRun} (the worker threads), {@link
 * org.bigmodels.paramserver.ServerStats} (accounting and staleness histogram). Gradients can be compressed on the
 * way with {@link org.bigmodels.compression.GradientCompressor}.
 */
package org.bigmodels.paramserver;
