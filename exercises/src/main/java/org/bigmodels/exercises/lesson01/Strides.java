package org.bigmodels.exercises.lesson01;

/**
 * Exercise 01.1 (lesson 01-tensors): where an element lives in memory.
 *
 * <p>An n-dimensional array is one flat buffer plus a description: a shape, a stride per axis (how many elements to
 * skip in the buffer to move one step along that axis) and the offset of element [0, ..., 0]. Element
 * {@code [i0, i1, ...]} sits at {@code offset + i0·stride0 + i1·stride1 + ...}. In row-major ('c') order the last
 * axis is contiguous (stride 1). A transpose or a permute only reorders the strides, and a slice only moves the
 * offset: neither copies a single element. Compare your answers with ND4J's {@code x.stride()} and
 * {@code x.offset()} on the arrays of lesson 01's "Views and copies" and "Memory order" sections.
 *
 * <p>Replace each {@code throw} below with your code, then run {@code ./course grade 01}.
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
        throw new UnsupportedOperationException("not implemented yet: Strides.rowMajor -- the last axis moves by 1"
                + " element; each earlier axis jumps over a whole block of the axes after it. Walk the axes from the last"
                + " to the first keeping a running product. Pitfall: walking from the first gives column-major ('f')"
                + " strides");
    }

    /**
     * The position in the flat buffer of element {@code index} of an array (or view) described by shape, strides and
     * base offset: {@code offset + sum_k index[k]·strides[k]}.
     *
     * @param index      one index per axis, {@code 0 <= index[k] < shape[k]}
     * @param shape      the size of each axis
     * @param strides    the stride of each axis in elements, in any order (a transposed view's strides are not
     *                   decreasing)
     * @param baseOffset the buffer position of element [0, ..., 0] (nonzero for a slice), {@code >= 0}
     * @return the buffer position of the element
     * @throws IllegalArgumentException if the three arrays differ in length, an index is outside its axis (naming
     *                                  the axis, the index and the size), or the base offset is negative
     */
    public static long offset(long[] index, long[] shape, long[] strides, long baseOffset) {
        throw new UnsupportedOperationException("not implemented yet: Strides.offset -- start at the base offset and"
                + " add index times stride for every axis, after checking each index against its axis size. Pitfall:"
                + " recomputing strides from the shape is only right for a contiguous row-major array, not for a"
                + " transposed view or a slice");
    }
}
