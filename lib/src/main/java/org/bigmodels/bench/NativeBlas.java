package org.bigmodels.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which BLAS library this JVM runs: the OpenBLAS bundled with ND4J (0.3.19) or a system one that {@code ./course}
 * had JavaCPP load in its place (README, "BLAS"). The benchmarks print it in their headers, since the same code is
 * 10-25 % faster on one than on the other.
 */
public final class NativeBlas {
    private NativeBlas() {}

    /**
     * "system OpenBLAS (libopenblasp-r0.3.21.so)" when a system OpenBLAS is mapped into this process (read from
     * /proc/self/maps on Linux), "bundled OpenBLAS (ND4J's copy)" when only the copy JavaCPP extracted is, "unknown"
     * elsewhere. Loads ND4J's backend first if it is not loaded yet.
     */
    public static String describe() {
        Nd4j.create(1);
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "unknown (no /proc/self/maps)";
        }
        try (Stream<String> lines = Files.lines(maps)) {
            var files = lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.contains("libopenblas")).distinct().collect(Collectors.toList());
            String system = files.stream().filter(f -> !f.contains("/.javacpp/"))
                    .map(f -> Path.of(f).getFileName().toString()).distinct().collect(Collectors.joining(", "));
            if (!system.isEmpty()) {
                return "system OpenBLAS (" + system + ")";
            }
            return files.isEmpty() ? "unknown" : "bundled OpenBLAS (ND4J's copy)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Prints {@link #describe()}. */
    public static void main(String[] args) {
        System.out.println("BLAS: " + describe());
    }
}
