package org.bigmodels.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One option syntax for the benchmarks that read {@code key=value} options (gpt4bit, distill, capstone): they also
 * take the {@code --key value} form of the others ({@code ./course bench qat --epochs 15}), and {@code --key=value}.
 * A dashed name is read in camel case, so {@code --teacher-epochs 5} is {@code teacherEpochs=5}.
 */
final class BenchOptions {
    private BenchOptions() {}

    /**
     * The arguments with every {@code --key value}, {@code --key=value} and {@code --flag} of a known key or flag
     * rewritten to the {@code key=value} or bare {@code flag} form the benchmark parses; every other argument
     * ({@code key=value}, {@code --help}, an unknown option) is passed on unchanged for the benchmark to accept or
     * report.
     *
     * @param keys  the option names that take a value, in camel case ({@code teacherEpochs})
     * @param flags the option names that take none ({@code layers})
     * @throws IllegalArgumentException when {@code --key} of a known key is the last argument (its value is missing)
     */
    static String[] keyValues(String[] args, Collection<String> keys, Collection<String> flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                out.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String name = camelCase(eq < 0 ? a.substring(2) : a.substring(2, eq));
            if (eq < 0 && flags.contains(name)) {
                out.add(name);
            } else if (keys.contains(name)) {
                if (eq >= 0) {
                    out.add(name + "=" + a.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    out.add(name + "=" + args[++i]);
                } else {
                    throw new IllegalArgumentException("expected a value after " + a + " (--" + a.substring(2)
                            + " VALUE, or " + name + "=VALUE), got the end of the arguments");
                }
            } else {
                out.add(a);
            }
        }
        return out.toArray(new String[0]);
    }

    /** {@code teacher-epochs} as {@code teacherEpochs}; a name without dashes is returned as it is. */
    static String camelCase(String dashed) {
        StringBuilder s = new StringBuilder();
        boolean upper = false;
        for (char c : dashed.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                s.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return s.toString();
    }

    /**
     * Reads {@code args} ({@code key=value} or {@code --key value}, see {@link #keyValues}) into {@code options},
     * whose keys are the known options and whose values are their defaults.
     *
     * @throws IllegalArgumentException naming the argument and the known keys, for an argument that is not an option
     *     of {@code options} or lacks its value
     */
    static void readInto(java.util.Map<String, String> options, String[] args, String bench) {
        for (String s : keyValues(args, options.keySet(), List.of())) {
            String[] kv = s.split("=", 2);
            if (kv.length != 2 || !options.containsKey(kv[0])) {
                throw new IllegalArgumentException(bench + ": unknown argument " + s + "; expected key=value (or --key value)"
                        + " with a key of " + options.keySet() + " (./course bench " + bench + " --help lists them)");
            }
            options.put(kv[0], kv[1]);
        }
    }

    /**
     * {@link #readInto} for a benchmark's {@code main}: a bad argument prints its message on standard error and exits
     * with status 2 (a usage error, as for every benchmark), not a stack trace.
     */
    static void readIntoOrExit(java.util.Map<String, String> options, String[] args, String bench) {
        try {
            readInto(options, args, bench);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
