package org.bigmodels.exercises.lesson01;

import java.util.Arrays;

/**
 * Exercise 01.1 (lesson 01-tensors): where an element lives in memory. Reference solution.
 *
 * <p>An n-dimensional array is one flat buffer plus a description: a shape, a stride per axis (how many elements to
 * skip in the buffer to move one step along that axis) and the offset of element [0, ..., 0]. Element
 * {@code [i0, i1, ...]} sits at {@code offset + i0·stride0 + i1·stride1 + ...}. In row-major ('c') order the last
 * axis is contiguous (stride 1) and each stride is the product of the sizes of the axes after it. A transpose or a
 * permute only reorders the strides, and a slice only moves the offset: neither copies a single element. NumPy's
 * ndarray documentation ("Internal memory layout of an ndarray") gives the same formula, with strides in bytes.
 */
public final class Strides {

    private Strides() {
    }

    /**
     * The row-major (C-order) strides of a shape, in elements (not bytes).
     *
     * @param shape the size of each axis, each {@code >= 0}; an empty shape is a scalar
     * @return a new array of the same length: {@code strides[k] = shape[k+1]·...·shape[n-1]}, so the last is 1
     * @throws IllegalArgumentException if a size is negative (naming the axis and the shape)
     */
    public static long[] rowMajor(long... shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] < 0) {
                throw new IllegalArgumentException("Strides.rowMajor: size " + shape[k] + " on axis " + k + " of shape "
                        + Arrays.toString(shape) + "; sizes must be >= 0");
            }
            strides[k] = s;
            s *= shape[k];
        }
        return strides;
    }

    /**
     * The position in the flat buffer of element {@code index} of an array (or view) described by shape, strides and
     * base offset: {@code offset + sum_k index[k]·strides[k]}.
     *
     * @param index      one index per axis, {@code 0 <= index[k] < shape[k]}
     * @param shape      the size of each axis
     * @param strides    the stride of each axis in elements (any order: a transposed view's strides decrease
     *                   nowhere in particular)
     * @param baseOffset the buffer position of element [0, ..., 0] (nonzero for a slice), {@code >= 0}
     * @return the buffer position of the element
     * @throws IllegalArgumentException if the three arrays differ in length, an index is outside its axis (naming
     *                                  the axis, the index and the size), or the base offset is negative
     */
    public static long offset(long[] index, long[] shape, long[] strides, long baseOffset) {
        if (index.length != shape.length || strides.length != shape.length) {
            throw new IllegalArgumentException("Strides.offset: index " + Arrays.toString(index) + ", shape "
                    + Arrays.toString(shape) + " and strides " + Arrays.toString(strides)
                    + " must have one entry per axis (the same length)");
        }
        if (baseOffset < 0) {
            throw new IllegalArgumentException("Strides.offset: base offset " + baseOffset + " is negative");
        }
        long at = baseOffset;
        for (int k = 0; k < shape.length; k++) {
            if (index[k] < 0 || index[k] >= shape[k]) {
                throw new IllegalArgumentException("Strides.offset: index " + index[k] + " on axis " + k
                        + " is outside 0.." + (shape[k] - 1) + " (shape " + Arrays.toString(shape) + ")");
            }
            at += index[k] * strides[k];
        }
        return at;
    }
}
