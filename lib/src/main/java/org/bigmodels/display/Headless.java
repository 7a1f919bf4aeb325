package org.bigmodels.display;

/**
 * Drawing happens off screen (kernels, CI and SSH sessions have no display), so AWT is put in headless
 * mode before any image is made, unless the user already chose. Notebook: 00-welcome.
 */
final class Headless {

    private Headless() {
    }

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
