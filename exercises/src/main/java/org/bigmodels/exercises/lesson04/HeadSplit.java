package org.bigmodels.exercises.lesson04;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 04.3 (lesson 04-tiny-gpt): the reshape that makes attention multi-headed.
 *
 * <p>Multi-head attention (Vaswani et al. 2017, "Attention is all you need", section 3.2.2) runs H attentions side by
 * side, each on its own slice of D = C/H channels. The channels of token t, {@code x[b, t, 0..C)}, are H consecutive
 * slices: head h owns channels {@code h·D .. h·D + D - 1}. Splitting gives {@code heads[b, h, t, d] = x[b, t, h·D + d]}
 * so that one batched matrix product computes all heads' T×T scores at once; merging puts the heads' outputs back
 * side by side.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 04}.
 */
public final class HeadSplit {

    private HeadSplit() {
    }

    /**
     * @param x     [B, T, C]; left unchanged
     * @param nHead H, {@code >= 1}, dividing C
     * @return [B, H, T, C/H] with {@code heads[b, h, t, d] = x[b, t, h·(C/H) + d]}, a new array (not a view of x)
     * @throws IllegalArgumentException if x is not rank 3, H < 1, or C is not divisible by H (naming C and H)
     */
    public static INDArray split(INDArray x, int nHead) {
        throw new UnsupportedOperationException("not implemented yet: HeadSplit.split -- [B, T, C] to [B, H, T, D]"
                + " by the rule heads[b, h, t, d] = x[b, t, h·D + d]: a reshape only regroups the memory order, so"
                + " think about which axes are neighbours in memory. Pitfall: reshaping [B, T, C] straight to"
                + " [B, H, T, D] keeps the shapes right but mixes tokens into heads");
    }

    /**
     * The inverse of {@link #split}.
     *
     * @param heads [B, H, T, D]; left unchanged
     * @return [B, T, H·D] with {@code x[b, t, h·D + d] = heads[b, h, t, d]}, a new array
     * @throws IllegalArgumentException if heads is not rank 4
     */
    public static INDArray merge(INDArray heads) {
        throw new UnsupportedOperationException("not implemented yet: HeadSplit.merge -- the inverse of split,"
                + " undoing its steps in reverse order. Pitfall: a reshape of a non-contiguous (permuted) array"
                + " regroups the wrong elements; joining the head and channel axes too early mixes tokens into"
                + " channels");
    }
}
