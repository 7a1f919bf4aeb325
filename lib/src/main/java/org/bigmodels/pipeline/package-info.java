/**
 * Pipeline (and naive layer-wise) model parallelism: the model cut into stages on different workers, activations
 * sent forward, their gradients sent back. Taught in 08-pipeline-parallel.
 *
 * <ul>
 *   <li>{@link org.bigmodels.pipeline.StagedModel}: a GPT or MLP as a chain of units to cut between.</li>
 *   <li>{@link org.bigmodels.pipeline.PipelineSchedule}: the order of passes per stage, separate from execution —
 *       {@link org.bigmodels.pipeline.NaiveSchedule}, {@link org.bigmodels.pipeline.GPipeSchedule},
 *       {@link org.bigmodels.pipeline.OneFOneBSchedule}, {@link org.bigmodels.pipeline.InterleavedSchedule}.</li>
 *   <li>{@link org.bigmodels.pipeline.ScheduleSimulation}: validity (each pass once, no deadlock), bubble and peak
 *       in-flight micro-batches in unit time, against (p-1)/(m+p-1).</li>
 *   <li>{@link org.bigmodels.pipeline.PipelineRunner}: executes a schedule on worker threads over a
 *       {@link org.bigmodels.comm.Communicator}, recording {@link org.bigmodels.pipeline.StageEvent}s and activation
 *       bytes into a {@link org.bigmodels.pipeline.PipelineResult}; equal to the unsplit model's step.</li>
 *   <li>{@link org.bigmodels.pipeline.StagePartitioner}: {@link org.bigmodels.pipeline.CountPartitioner} vs
 *       {@link org.bigmodels.pipeline.BalancedPartitioner}, fed by {@link org.bigmodels.pipeline.LayerCosts}.</li>
 * </ul>
 */
package org.bigmodels.pipeline;
