package org.bigmodels.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigmodels.dl4j.Dl4jBridge;
import org.bigmodels.nn.MLP;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The library way: DL4J's own Spark training, {@link SparkDl4jMultiLayer} with a
 * {@link ParameterAveragingTrainingMaster} (McDonald et al. 2010, "iterative parameter mixing"; Zinkevich et al.
 * 2010). Each worker fits its own copy of the network on {@code averagingFrequency} minibatches, then the driver
 * averages the workers' PARAMETERS (and updater state) and broadcasts them back. With plain SGD and
 * {@code averagingFrequency = 1} averaging the parameters equals stepping with the averaged gradient, so it is
 * per-step synchronous SGD; larger frequencies trade that equivalence for fewer Spark jobs (one job per averaging
 * round). Gradient sharing ({@code SharedTrainingMaster}, Strom 2015, over Aeron) is not used: it hung in 5 of 11
 * local runs on the course machine.
 *
 * <p>The network is the course {@link MLP} translated by {@link Dl4jBridge} (same weights, SGD at the same rate).
 */
public final class Dl4jSparkAveraging {
    private Dl4jSparkAveraging() {
    }

    /**
     * What a run returns.
     *
     * @param network     the trained network (on the driver)
     * @param scores      DL4J's score (mean loss) after each epoch
     * @param epochMillis wall time of each epoch's {@code fit}, ms
     * @param rounds      averaging rounds per epoch, counted: the parameter aggregations DL4J's training master
     *                    recorded in its training statistics ({@code ParameterAveragingMasterAggregateTimesMs}) over
     *                    all epochs, divided by {@code epochs} (0 when epochs is 0)
     */
    public record Result(MultiLayerNetwork network, double[] scores, double[] epochMillis, int rounds) {
    }

    /**
     * Trains a DL4J copy of {@code start} for {@code epochs} passes over {@code data}.
     *
     * @param batchSize          examples per worker minibatch (use the rows of the SparkBatches)
     * @param averagingFrequency minibatches each worker fits between two averagings, >= 1
     * @throws IllegalArgumentException when a count is out of range or a partition is empty
     *
     * <p>Sets the system property {@code org.deeplearning4j.spark.time.TimeSource} to DL4J's system-clock time source
     * when it is unset (DL4J's training statistics, used to count the rounds, otherwise query an NTP server).
     */
    public static Result fit(JavaSparkContext sc, MLP start, double learningRate, JavaRDD<SparkBatch> data,
                             int batchSize, int averagingFrequency, int epochs) {
        if (averagingFrequency < 1 || batchSize < 1 || epochs < 0) {
            throw new IllegalArgumentException("Dl4jSparkAveraging: expected averagingFrequency >= 1, batchSize >= 1, "
                    + "epochs >= 0; got " + averagingFrequency + ", " + batchSize + ", " + epochs);
        }
        SparkSyncSgd.checkPartitions(data);
        MultiLayerNetwork net = Dl4jBridge.toMultiLayerNetwork(start, learningRate);
        net.getLayerWiseConfigurations().setTrainingWorkspaceMode(WorkspaceMode.NONE);
        int classes = (int) start.sizes()[start.sizes().length - 1];
        JavaRDD<DataSet> sets = data.map(b -> toDataSet(b, classes));
        int workers = data.getNumPartitions();
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .build();
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, tm);
        // statistics are collected to count the averaging rounds DL4J actually ran; their default clock asks an NTP
        // server (no network: an error), so use the system clock unless the user chose one
        if (System.getProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY) == null) {
            System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        }
        spark.setCollectTrainingStats(true);
        double[] scores = new double[epochs], millis = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            long t0 = System.nanoTime();
            spark.fit(sets);
            millis[e] = (System.nanoTime() - t0) / 1e6;
            scores[e] = spark.getScore();
        }
        int aggregations = epochs == 0 ? 0 : spark.getSparkTrainingStats()
                .getValue(ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_AGGREGATE_TIMES_MS).size();
        int rounds = epochs == 0 ? 0 : aggregations / epochs;
        return new Result(spark.getNetwork(), scores, millis, rounds);
    }

    /** A SparkBatch as a DL4J DataSet: features [rows, cols], one-hot labels [rows, classes]. */
    static DataSet toDataSet(SparkBatch b, int classes) {
        var f = Nd4j.create(b.x(), new long[]{b.rows(), b.cols()}, 'c');
        var l = Nd4j.zeros(DataType.FLOAT, b.rows(), classes);
        for (int i = 0; i < b.rows(); i++) l.putScalar(i, (int) b.y()[i], 1f);
        return new DataSet(f, l);
    }

    /** Lists DL4J's {@link DataSet}s of a list of batches, for an in-process reference. */
    static List<DataSet> toDataSets(List<SparkBatch> batches, int classes) {
        List<DataSet> out = new ArrayList<>();
        for (SparkBatch b : batches) out.add(toDataSet(b, classes));
        return out;
    }
}
