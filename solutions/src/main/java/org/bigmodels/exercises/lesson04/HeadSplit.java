package org.bigmodels.exercises.lesson04;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exercise 04.3 (lesson 04-tiny-gpt): the reshape that makes attention multi-headed. Reference solution.
 *
 * <p>Multi-head attention (Vaswani et al. 2017, "Attention is all you need", section 3.2.2) runs H attentions side by
 * side, each on its own slice of D = C/H channels. The channels of token t, {@code x[b, t, 0..C)}, are H consecutive
 * slices: head h owns channels {@code h·D .. h·D + D - 1}. Splitting gives {@code heads[b, h, t, d] = x[b, t, h·D + d]}
 * so that one batched matrix product computes all heads' T×T scores at once; merging puts the heads' outputs back
 * side by side. In shapes: [B, T, C] -> reshape [B, T, H, D] -> swap axes 1 and 2 -> [B, H, T, D], and back.
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
        if (x.rank() != 3) {
            throw new IllegalArgumentException("HeadSplit.split: expected x of shape [B, T, C], got "
                    + Arrays.toString(x.shape()));
        }
        long b = x.size(0);
        long t = x.size(1);
        long c = x.size(2);
        if (nHead < 1 || c % nHead != 0) {
            throw new IllegalArgumentException("HeadSplit.split: C = " + c + " channels cannot be split into nHead = "
                    + nHead + " heads of equal size; choose nHead dividing C (nEmbd must be a multiple of nHead)");
        }
        return x.dup('c').reshape('c', b, t, nHead, c / nHead).permute(0, 2, 1, 3).dup('c');
    }

    /**
     * The inverse of {@link #split}.
     *
     * @param heads [B, H, T, D]; left unchanged
     * @return [B, T, H·D] with {@code x[b, t, h·D + d] = heads[b, h, t, d]}, a new array
     * @throws IllegalArgumentException if heads is not rank 4
     */
    public static INDArray merge(INDArray heads) {
        if (heads.rank() != 4) {
            throw new IllegalArgumentException("HeadSplit.merge: expected heads of shape [B, H, T, D], got "
                    + Arrays.toString(heads.shape()));
        }
        long b = heads.size(0);
        long h = heads.size(1);
        long t = heads.size(2);
        long d = heads.size(3);
        return heads.permute(0, 2, 1, 3).dup('c').reshape('c', b, t, h * d);
    }
}
