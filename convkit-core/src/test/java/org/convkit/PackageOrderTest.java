package org.convkit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import java.util.List;
import org.convkit.train.callback.LrFindReport;
import org.convkit.train.callback.ReportCallback;
import org.junit.jupiter.api.Test;

/**
 * The story the layout tells (docs/architecture.md): data flows one way, and each
 * package may use only the ones listed before it. A dependency backwards is a design error this
 * test names. Three rules:
 *
 * <ol>
 *   <li>the top-level packages in {@link #ORDER}: each uses only those before it;
 *   <li>no cycles anywhere, sub-packages included: a package and its sub-packages are layers too
 *       ({@code data} is the API every {@code data.*} implements, {@code data.load} opens and loads
 *       them; {@code train} is the Learner and its callback API, {@code train.callback} and {@code
 *       train.lrfind} plug into it, {@code train.run} puts a whole run together);
 *   <li>training reaches report code only through its report callback ({@link ReportCallback} and
 *       the {@link LrFindReport} it writes): the training loop and {@code Training} never call
 *       plots or pages themselves, so a run without reports, or with other ones, is a callback
 *       list away.
 * </ol>
 *
 * Modules other than the core run the same rules on their own classes ({@code
 * PackageOrderTest.check}) from their tests.
 */
public class PackageOrderTest {
    static final List<String> ORDER =
            List.of("core", "model", "data", "eval", "report", "train", "transfer", "cli");

    /**
     * Every class of org.convkit on this test's class path (tests excluded: test classes of this
     * module and of the core's test-jar, which other modules' tests have on their class path).
     */
    public static JavaClasses mainClasses() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.convkit");
    }

    @Test
    void everyPackageUsesOnlyTheOnesBeforeIt() {
        JavaClasses classes = mainClasses();
        for (int i = 0; i < ORDER.size() - 1; i++) {
            String[] later = ORDER.subList(i + 1, ORDER.size()).stream()
                    .map(p -> "org.convkit." + p + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage("org.convkit." + ORDER.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .because(ORDER.get(i) + " comes before " + Arrays.toString(later))
                    .check(classes);
        }
    }

    @Test
    void noPackageCyclesAnywhere() {
        noCycles(mainClasses());
    }

    @Test
    void trainingReachesReportsOnlyThroughItsReportCallback() {
        noClasses().that().resideInAPackage("org.convkit.train..")
                .and(not(belongToAnyOf(ReportCallback.class, LrFindReport.class)))
                .should().dependOnClassesThat().resideInAPackage("org.convkit.report..")
                .because("training hands its results to a report callback (ReportCallback); it never draws or"
                        + " writes pages itself")
                .check(mainClasses());
    }

    /** No cycle between any two packages of {@code classes}, sub-packages counted as packages of their own. */
    public static void noCycles(JavaClasses classes) {
        slices().matching("org.convkit.(**)").should().beFreeOfCycles().check(classes);
    }
}
