package org.convkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The story the layout tells (README "Layout"): data flows one way, and each package may use only
 * the ones listed before it. A dependency backwards is a design error this test names.
 */
class PackageOrderTest {
    static final List<String> ORDER =
            List.of("core", "model", "data", "eval", "report", "train", "transfer", "cli");

    @Test
    void everyPackageUsesOnlyTheOnesBeforeIt() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.convkit");
        for (int i = 0; i < ORDER.size() - 1; i++) {
            String[] later = ORDER.subList(i + 1, ORDER.size()).stream()
                    .map(p -> "org.convkit." + p + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("org.convkit." + ORDER.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .because(ORDER.get(i) + " comes before " + Arrays.toString(later))
                    .check(classes);
        }
    }
}
