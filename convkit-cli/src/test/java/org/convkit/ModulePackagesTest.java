package org.convkit;

import org.junit.jupiter.api.Test;

/**
 * The core's package rules (no package cycles, sub-packages included) over every module on this
 * module's class path: convkit-cli and what it builds on.
 */
class ModulePackagesTest {
    @Test
    void noPackageCyclesInAnyModule() {
        PackageOrderTest.noCycles(PackageOrderTest.mainClasses());
    }
}
