package org.bigmodels.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A standalone cluster on loopback (a master and two worker processes from the Maven jars, started and stopped here):
 * the same training job gives the same weights as the in-process DDP (and so as local[2], {@link SparkLocalTest}).
 */
class StandaloneClusterTest {

    @Test
    @Timeout(value = 300)
    void standaloneClusterGivesTheLocalWeights() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "spark-cluster");
        List<List<SparkBatch>> shards = SparkLocalTest.data(2, 3, 8, 12, 3, 11);
        float[] expected = SparkLocalTest.inProcess(shards, 3);
        try (StandaloneCluster cluster = StandaloneCluster.start(2, 1, dir, 60_000);
             JavaSparkContext sc = new JavaSparkContext(cluster.conf("standalone-test"))) {
            SparkLocalTest.sc = sc;
            assertEquals(2, sc.sc().getExecutorIds().size(), "both workers' executors should have registered");
            var sync = new SparkSyncSgd<>(sc, SparkLocalTest.SPEC, SparkLocalTest.LR).fit(SparkLocalTest.rdd(shards), 3);
            SparkLocalTest.assertClose(expected, ParameterVectors.values(sync.model()), "driver-centric on the cluster");
            var barrier = new SparkBarrierDdp<>(sc, SparkLocalTest.SPEC, SparkLocalTest.LR, 1 << 20, 30_000)
                    .fit(SparkLocalTest.rdd(shards), 3);
            SparkLocalTest.assertClose(expected, barrier.weights(), "barrier DDP on the cluster");
            // the two ranks ran in different executor processes
            List<String> hosts = new ArrayList<>(sc.parallelize(List.of(0, 1), 2)
                    .map(i -> org.apache.spark.SparkEnv.get().executorId()).collect());
            assertEquals(2, hosts.stream().distinct().count(), "tasks should run on two executors: " + hosts);
        } finally {
            SparkLocalTest.sc = null;
        }
    }
}
