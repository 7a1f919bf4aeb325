package org.bigmodels.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import tech.tablesaw.api.Table;

class ModuleSummaryTest {

    @Test
    void oneRowPerParameterThenTotals() {
        MLP m = new MLP(new long[] {4, 3, 2}, Activation.RELU, DataType.DOUBLE, 1);
        Table t = m.summary();
        // written out by hand: Linear(4, 3) then Linear(3, 2), 8 bytes per double
        List<String> names = List.of("0.weight", "0.bias", "2.weight", "2.bias", ModuleSummary.TOTAL);
        List<String> shapes = List.of("[4, 3]", "[3]", "[3, 2]", "[2]", "");
        long[] counts = {12, 3, 6, 2, 23};
        assertEquals(names, t.stringColumn("parameter").asList());
        assertEquals(shapes, t.stringColumn("shape").asList());
        for (int i = 0; i < counts.length; i++) {
            assertEquals(counts[i], t.longColumn("count").get(i), "count of " + names.get(i));
            assertEquals(8 * counts[i], t.longColumn("bytes").get(i), "bytes of " + names.get(i));
            assertEquals("DOUBLE", t.stringColumn("dtype").get(i));
        }
        assertEquals(8 * 23, m.parameterBytes());
        assertTrue(t.name().contains("MLP") && t.name().contains("23 parameters") && t.name().contains("184 bytes"),
                t.name());
    }

    @Test
    void gptTotalsAgreeWithTheClosedForm() {
        GPTConfig config = new GPTConfig(11, 8, 2, 2, 16, 0.0, DataType.FLOAT, 3);
        Table t = new GPT(config).summary();
        long c = 16, v = 11, blockSize = 8, layers = 2;
        long expected = (v + blockSize) * c + layers * (12 * c * c + 13 * c) + 2 * c + c * v + v;
        int last = t.rowCount() - 1;
        assertEquals(ModuleSummary.TOTAL, t.stringColumn("parameter").get(last));
        assertEquals(expected, t.longColumn("count").get(last));
        assertEquals(4 * expected, t.longColumn("bytes").get(last), "float32 is 4 bytes per parameter");
        assertEquals("FLOAT", t.stringColumn("dtype").get(last));
        assertEquals("wte.weight", t.stringColumn("parameter").get(0));
        assertEquals("[11, 16]", t.stringColumn("shape").get(0));
    }
}
