package org.bigmodels.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.bigmodels.engine.Ops;
import org.bigmodels.engine.Tensor;
import org.bigmodels.nn.Activation;
import org.bigmodels.nn.Block;
import org.bigmodels.nn.Embedding;
import org.bigmodels.nn.GPT;
import org.bigmodels.nn.Layer;
import org.bigmodels.nn.Linear;
import org.bigmodels.nn.MLP;
import org.bigmodels.nn.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model seen as a chain of units that a pipeline cuts between: unit 0 takes the data, each next unit takes the
 * previous one's output, and the loss takes the last output and the targets. The cut points are the only places
 * activations cross workers. The model's own parameters are used (no copy), so training a split model trains it.
 *
 * <p>{@link #of(GPT)}: the embeddings (token + position), then one unit per {@link Block}, then the final layer norm
 * with the head; loss = mean cross-entropy. {@link #of(MLP)}: one unit per Linear layer with the activation after
 * it; loss = mean cross-entropy. Both with dropout off (a pipeline must reproduce the unsplit model exactly).
 */
public final class StagedModel {
    /** One unit: a name for tables, its forward, and the parameters it owns. */
    public record Unit(String name, UnaryOperator<Tensor> forward, List<Tensor> parameters) {}

    private final List<Unit> units;
    private final BiFunction<Tensor, INDArray, Tensor> loss;

    /**
     * @param units the chain, at least one unit; unit 0 receives {@code Tensor.of(inputs)}
     * @param loss  (last output, targets) -> scalar mean loss over the examples of the batch
     */
    public StagedModel(List<Unit> units, BiFunction<Tensor, INDArray, Tensor> loss) {
        if (units == null || units.isEmpty()) {
            throw new IllegalArgumentException("StagedModel: expected at least one unit, got none");
        }
        if (loss == null) throw new IllegalArgumentException("StagedModel: expected a loss function, got null");
        this.units = List.copyOf(units);
        this.loss = loss;
    }

    /** The GPT as L+2 units: "embed", "block 0".."block L-1", "head" (ids [B, T] in, targets [B, T]). */
    public static StagedModel of(GPT gpt) {
        if (gpt.config().dropout() > 0) {
            throw new IllegalArgumentException("StagedModel: expected a GPT without dropout (a pipeline must give the "
                    + "unsplit model's results), got dropout " + gpt.config().dropout()
                    + "; build it with config.withDropout(0)");
        }
        Map<String, Module> ch = gpt.children();
        Embedding wte = (Embedding) ch.get("wte");
        Embedding wpe = (Embedding) ch.get("wpe");
        Layer lnF = (Layer) ch.get("lnF");
        Linear head = (Linear) ch.get("head");
        List<Unit> units = new ArrayList<>();
        units.add(new Unit("embed", x -> {
            INDArray ids = x.value();
            long t = ids.size(1);
            INDArray pos = org.nd4j.linalg.factory.Nd4j.arange(0, t).castTo(org.nd4j.linalg.api.buffer.DataType.INT);
            return wte.forward(ids).add(wpe.forward(pos));
        }, List.of(wte.weight(), wpe.weight())));
        List<Block> blocks = gpt.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            units.add(new Unit("block " + i, b::forward, b.parameters()));
        }
        List<Tensor> headParams = new ArrayList<>(ch.get("lnF").parameters());
        headParams.addAll(head.parameters());
        units.add(new Unit("head", x -> head.forward(lnF.forward(x)), headParams));
        return new StagedModel(units, Ops::crossEntropy);
    }

    /** The MLP as one unit per Linear layer, each followed by the activation (except the last). */
    public static StagedModel of(MLP mlp) {
        List<Linear> linears = mlp.linears();
        Activation act = mlp.activation();
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < linears.size(); i++) {
            Linear l = linears.get(i);
            boolean last = i == linears.size() - 1;
            units.add(new Unit("linear " + i + " (" + l.in() + "→" + l.out() + ")",
                    last ? l::forward : x -> act.forward(l.forward(x)), l.parameters()));
        }
        return new StagedModel(units, Ops::crossEntropy);
    }

    /** The units in order. */
    public List<Unit> units() {
        return units;
    }

    /** The number of units. */
    public int size() {
        return units.size();
    }

    /** The loss of the last unit's output against the targets. */
    public Tensor loss(Tensor output, INDArray targets) {
        return loss.apply(output, targets);
    }

    /** Units [from, to) applied in order to {@code x}. */
    public Tensor forward(int from, int to, Tensor x) {
        for (int i = from; i < to; i++) x = units.get(i).forward().apply(x);
        return x;
    }

    /** Every parameter of units [from, to). */
    public List<Tensor> parameters(int from, int to) {
        List<Tensor> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.addAll(units.get(i).parameters());
        return out;
    }

    /** Every parameter of the model, in unit order. */
    public List<Tensor> parameters() {
        return parameters(0, units.size());
    }

    /**
     * Checks cut points for {@code parts} contiguous parts: boundaries[0] = 0, strictly increasing, last = size().
     *
     * @throws IllegalArgumentException saying what is wrong (more parts than units is the usual mistake)
     */
    public void checkBoundaries(int[] boundaries, int parts) {
        if (parts > units.size()) {
            throw new IllegalArgumentException("StagedModel: cannot cut " + units.size() + " units into " + parts
                    + " parts (more stages than layers); use at most " + units.size() + " stages × chunks");
        }
        if (boundaries == null || boundaries.length != parts + 1 || boundaries[0] != 0
                || boundaries[parts] != units.size()) {
            throw new IllegalArgumentException("StagedModel: expected " + (parts + 1) + " cut points from 0 to "
                    + units.size() + ", got " + Arrays.toString(boundaries));
        }
        for (int i = 0; i < parts; i++) {
            if (boundaries[i + 1] <= boundaries[i]) {
                throw new IllegalArgumentException("StagedModel: part " + i + " is empty in cut points "
                        + Arrays.toString(boundaries) + "; every part needs at least one unit");
            }
        }
    }
}
