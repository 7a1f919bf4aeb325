/**
 * The training loop, written once, and what surrounds it: minibatches, metrics, a history of the run, checkpoints,
 * and a clear error when training diverges.
 *
 * <p>Teaches the loop every later part reuses (forward, loss, finite check, backward, clip, step, log, evaluate),
 * repeatable runs from one seed, classification metrics (accuracy, the confusion matrix, per-class precision and
 * recall), and saving and restoring a model. Taught in 03-mlp-mnist; used for the GPT in 04-tiny-gpt; checkpoints
 * come back for fault tolerance in 06-parameter-servers-and-async.
 *
 * <p>Main classes: {@link org.bigmodels.train.Trainer} (the loop) with {@link org.bigmodels.train.TrainConfig},
 * {@link org.bigmodels.train.Batches}, {@link org.bigmodels.train.Metrics}, {@link org.bigmodels.train.History},
 * {@link org.bigmodels.train.Checkpoint} and {@link org.bigmodels.train.TrainingDivergedException}. Start reading
 * at {@code Trainer.fitEpochs}.
 */
package org.bigmodels.train;
