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
 * @Graded(id = "1.2", points = 2, title = "softmax rows sum to one")
 * void rowsSumToOne() { ... }
 * }</pre>
 *
 * Several tests may share an exercise id; the exercise's score is the sum of their points.
 * The part is the id's prefix before the first dot ("1.2" is in part "1") unless {@link #part()} says otherwise.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag(Graded.TAG)
public @interface Graded {

    String TAG = "graded";

    /** The exercise id, "part.number", e.g. "0.1". */
    String id();

    /** Points this test is worth. */
    int points() default 1;

    /** The part (lesson group) for {@code ./course grade PART}; empty means the id's prefix. */
    String part() default "";

    /** What this test checks, one short line; empty means the method name. */
    String title() default "";
}
