/**
 * Graded exercises of lesson 00-welcome: the first contact with arrays: pixels scaled and standardized
 * (PixelScaling, 00.1). Reference solutions of the same classes; the graded tests of exercises/src/test/java are
 * compiled against them.
 */
package org.bigmodels.exercises.lesson00;
