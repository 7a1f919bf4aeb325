/**
 * Graded exercises of lesson 04-tiny-gpt: the pieces of a tiny GPT: the bigram baseline (Bigram, 04.1), causal
 * attention for one head (CausalAttention, 04.2) and the multi-head split and merge (HeadSplit, 04.3). Reference
 * solutions of the same classes; the graded tests of exercises/src/test/java are compiled against them.
 */
package org.bigmodels.exercises.lesson04;
