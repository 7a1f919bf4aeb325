/**
 * Optimizers and learning-rate schedules: how parameters move once their gradients are known.
 *
 * <p>Teaches SGD with momentum and weight decay, Adam and AdamW (decoupled weight decay, bias correction, and the
 * two moment buffers that make Adam cost three extra copies of the model in memory), gradient clipping by global
 * norm, and schedules (step decay, cosine with warmup). Taught in 03-mlp-mnist (SGD, Adam, step decay) and
 * 04-tiny-gpt (AdamW, cosine schedule, clipping); the optimizer state is what ZeRO shards in 10-memory-and-zero.
 *
 * <p>Main classes: {@link org.bigmodels.optim.Optimizer} (the interface), {@link org.bigmodels.optim.SGD},
 * {@link org.bigmodels.optim.Adam}, {@link org.bigmodels.optim.GradClip}, {@link org.bigmodels.optim.LrSchedule}.
 * Start reading at {@code SGD}, then {@code Adam}'s class comment (the update equations).
 */
package org.bigmodels.optim;
