package org.bigmodels.data;

/**
 * Every file under {@code datasets/} that the course reads, with the size and SHA-256 it must have.
 * The table is kept in code so that a checkout with a damaged {@code SOURCES.md} still verifies its data;
 * a test keeps it equal to the table in {@code datasets/SOURCES.md}. Notebook: 00-welcome.
 *
 * {@code records} is what one file holds (images, labels, rows or characters) as counted when it was checked.
 */
public enum DatasetFile {
    MNIST_TRAIN_IMAGES(Role.DATA, "mnist", "mnist/train-images-idx3-ubyte.gz", 9912422L,
            "ae46c4f260ac4905871204038b01a6c0a113631ad2d5a23f68961fc8b88747cb", 60000, "CC BY-SA 3.0"),
    MNIST_TRAIN_LABELS(Role.LABELS, "mnist", "mnist/train-labels-idx1-ubyte.gz", 28881L,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 60000, "CC BY-SA 3.0"),
    MNIST_TEST_IMAGES(Role.DATA, "mnist", "mnist/t10k-images-idx3-ubyte.gz", 1648877L,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 10000, "CC BY-SA 3.0"),
    MNIST_TEST_LABELS(Role.LABELS, "mnist", "mnist/t10k-labels-idx1-ubyte.gz", 4542L,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 10000, "CC BY-SA 3.0"),
    FASHION_TEST_IMAGES(Role.DATA, "fashion-mnist", "fashion-mnist/t10k-images-idx3-ubyte.gz", 4422102L,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 10000, "MIT"),
    FASHION_TEST_LABELS(Role.LABELS, "fashion-mnist", "fashion-mnist/t10k-labels-idx1-ubyte.gz", 5148L,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 10000, "MIT"),
    TINY_SHAKESPEARE(Role.DATA, "tinyshakespeare", "tinyshakespeare/input.txt", 1115394L,
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", 1115394, "public domain text"),
    IRIS(Role.DATA, "iris", "sklearn/iris.csv", 2734L,
            "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449", 150, "BSD-3-Clause"),
    IRIS_DESCRIPTION(Role.DOCS, "iris", "sklearn/iris.rst", 2782L,
            "45865560d4b0cd10c7ce7dec6eff327497cf654b0fb9ed86997b6b62f05459f7", 0, "BSD-3-Clause"),
    DIGITS(Role.DATA, "digits", "sklearn/digits.csv.gz", 57512L,
            "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a", 1797, "BSD-3-Clause"),
    DIGITS_DESCRIPTION(Role.DOCS, "digits", "sklearn/digits.rst", 2028L,
            "0169c12ec98069ddd16fcff040019018d8dc1549f06c9cad1cc1350df61d3b82", 0, "BSD-3-Clause");

    /** What a file holds: the examples themselves, their labels, or a description. */
    public enum Role { DATA, LABELS, DOCS }

    private final Role role;
    private final String dataset;
    private final String path;
    private final long size;
    private final String sha256;
    private final long records;
    private final String licence;

    DatasetFile(Role role, String dataset, String path, long size, String sha256, long records, String licence) {
        this.role = role;
        this.dataset = dataset;
        this.path = path;
        this.size = size;
        this.sha256 = sha256;
        this.records = records;
        this.licence = licence;
    }

    /** Examples, labels or documentation. */
    public Role role() { return role; }

    /** The dataset this file belongs to, e.g. {@code mnist}. */
    public String dataset() { return dataset; }

    /** Path relative to the {@code datasets/} folder, with forward slashes. */
    public String path() { return path; }

    /** Size in bytes. */
    public long size() { return size; }

    /** Expected SHA-256, lower-case hex. */
    public String sha256() { return sha256; }

    /** Images, rows or characters in the file; 0 for a description. */
    public long records() { return records; }

    /** The licence as commonly stated; SOURCES.md has the details. */
    public String licence() { return licence; }
}
