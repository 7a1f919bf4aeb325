/**
 * Graded exercises of lesson 00-welcome: the first contact with arrays: pixels scaled and standardized
 * (PixelScaling, 00.1). Your stubs: replace each "not implemented yet" with your code and run {@code ./course
 * grade 00}. The graded tests are in exercises/src/test/java, same package.
 */
package org.bigmodels.exercises.lesson00;
