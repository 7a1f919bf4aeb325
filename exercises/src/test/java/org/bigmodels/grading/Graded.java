package org.bigmodels.grading;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A graded test: use it instead of {@code @Test}.
 *
 * <pre>{@code
 * @Graded(id = "03.1", points = 2, title = "softmax rows sum to one")
 * void rowsSumToOne() { ... }
 * }</pre>
 *
 * Several tests may share an exercise id; the exercise's score is the sum of their points.
 * The lesson is the id's prefix before the first dot: "03.1" is the first exercise of lesson 03 (03-mlp-mnist), and its
 * test lives in package {@code org.bigmodels.exercises.lesson03}; the grader refuses an id whose lesson is not the
 * package's.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag(Graded.TAG)
public @interface Graded {

    String TAG = "graded";

    /** The exercise id, "LL.k": two-digit lesson, dot, exercise number in that lesson, e.g. "01.2". */
    String id();

    /** Points this test is worth. */
    int points() default 1;

    /** What this test checks, one short line; empty means the method name. */
    String title() default "";
}
