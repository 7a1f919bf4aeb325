/**
 * Knowledge distillation: training a small <em>student</em> to reproduce a large <em>teacher</em>, the third way to
 * compress a model after pruning and quantization. Taught in 16-distillation.
 *
 * <ul>
 *   <li>{@link org.bigmodels.distill.DistillationLoss}: output (logit) distillation, Hinton et al. 2015 — soft
 *       targets at temperature T, the T² scaling, the mix with the hard-label loss, its gradient (p_s − p_t)/T
 *       derived in the doc; plugs into the course Trainer as its objective.</li>
 *   <li>{@link org.bigmodels.distill.HintLoss}: intermediate-representation distillation, FitNets (Romero et al.
 *       2015) — a learned projection from the student's hidden layer onto the teacher's, L2 or cosine, with the
 *       two-stage procedure.</li>
 *   <li>{@link org.bigmodels.distill.TeacherOutputs}: the teacher's logits computed once (engine model or DL4J
 *       network) and cached in memory or on disk with checksums.</li>
 *   <li>{@link org.bigmodels.distill.DistillationModels} and {@link org.bigmodels.distill.Dropout}: the MNIST
 *       teacher and students of Hinton et al. §3.</li>
 *   <li>{@link org.bigmodels.distill.DistillationExperiment}: the §3 experiment's steps — the teacher trained once
 *       and kept as a checkpoint, students trained alone or distilled with the same cosine-decayed Adam — shared by
 *       the notebook and {@code org.bigmodels.bench.DistillationBenchmark} ({@code ./course bench distill}).</li>
 *   <li>{@link org.bigmodels.distill.RandomTranslation} and {@link org.bigmodels.distill.MaxNorm}: the paper's
 *       teacher regularisers (inputs shifted by up to 2 px, max-norm weights), used by
 *       {@code DistillationExperiment.teacherJittered}; {@link org.bigmodels.distill.ConvTeacher}: a DL4J
 *       convolutional teacher on shifted inputs (lesson 16's teacher; its logits are in datasets/distill/).</li>
 * </ul>
 * Start reading at {@code DistillationLoss}.
 */
package org.bigmodels.distill;
