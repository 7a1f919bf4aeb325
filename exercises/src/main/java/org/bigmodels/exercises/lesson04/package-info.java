/**
 * Graded exercises of lesson 04-tiny-gpt: the pieces of a tiny GPT: the bigram baseline (Bigram, 04.1), causal
 * attention for one head (CausalAttention, 04.2) and the multi-head split and merge (HeadSplit, 04.3). Your stubs:
 * replace each "not implemented yet" with your code and run {@code ./course grade 04}. The graded tests are in
 * exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson04;
