package org.bigmodels.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker JVMs get the parent's system-BLAS options (README "BLAS") only when the parent has them. */
class LauncherNativeArgsTest {
    @Test
    void passesThePathsFirstOptionsOnOnlyWhenSet() {
        String before = System.getProperty("org.bytedeco.javacpp.pathsFirst");
        try {
            System.clearProperty("org.bytedeco.javacpp.pathsFirst");
            assertEquals(List.of(), Launcher.nativeLibraryArgs(), "no pathsFirst in the parent: nothing to pass on");
            System.setProperty("org.bytedeco.javacpp.pathsFirst", "true");
            assertEquals(List.of("-Dorg.bytedeco.javacpp.pathsFirst=true",
                    "-Djava.library.path=" + System.getProperty("java.library.path")), Launcher.nativeLibraryArgs());
        } finally {
            if (before == null) System.clearProperty("org.bytedeco.javacpp.pathsFirst");
            else System.setProperty("org.bytedeco.javacpp.pathsFirst", before);
        }
    }
}
