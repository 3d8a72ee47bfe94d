package dev.llmgateway.keycloak;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The extension's packages depend one way. Each package may import only the packages listed for it here (and any
 * library); docs/development.md shows the same table. A new package needs a row, a new import needs a reason.
 */
class ArchitectureTest {

    static final String BASE = "dev.llmgateway.keycloak";

    /** Package (relative to {@value #BASE}) → the packages of ours it may import, from the bottom up. */
    static final Map<String, List<String>> MAY_IMPORT = new LinkedHashMap<>();

    static {
        MAY_IMPORT.put("core", List.of());
        MAY_IMPORT.put("crypto", List.of("core"));
        MAY_IMPORT.put("catalog", List.of("core"));
        MAY_IMPORT.put("powerlevel", List.of("core"));
        MAY_IMPORT.put("vendor", List.of("core"));
        MAY_IMPORT.put("vendor.openai", List.of("core", "vendor"));
        MAY_IMPORT.put("vendor.anthropic", List.of("core", "vendor"));
        MAY_IMPORT.put("config", List.of("core", "crypto", "catalog", "vendor"));
        MAY_IMPORT.put("provider", List.of("core", "crypto", "catalog", "config", "vendor"));
        MAY_IMPORT.put("byok", List.of("core", "crypto", "config", "provider", "vendor"));
        MAY_IMPORT.put("routing", List.of("core", "catalog", "powerlevel", "provider", "byok"));
        MAY_IMPORT.put("usage", List.of("core", "powerlevel"));
        MAY_IMPORT.put("observe", List.of("core"));
        MAY_IMPORT.put(
                "gateway",
                List.of(
                        "core",
                        "crypto",
                        "config",
                        "vendor",
                        "vendor.openai",
                        "vendor.anthropic",
                        "powerlevel",
                        "provider",
                        "byok",
                        "routing",
                        "usage",
                        "observe"));
        MAY_IMPORT.put(
                "rest.admin",
                List.of(
                        "core",
                        "crypto",
                        "catalog",
                        "config",
                        "vendor",
                        "powerlevel",
                        "provider",
                        "byok",
                        "routing",
                        "usage",
                        "gateway"));
        MAY_IMPORT.put(
                "rest.realm",
                List.of(
                        "core",
                        "crypto",
                        "catalog",
                        "config",
                        "vendor",
                        "powerlevel",
                        "provider",
                        "byok",
                        "routing",
                        "usage",
                        "observe",
                        "gateway"));
        MAY_IMPORT.put(
                "setup",
                List.of(
                        "core",
                        "crypto",
                        "catalog",
                        "config",
                        "vendor",
                        "vendor.openai",
                        "vendor.anthropic",
                        "powerlevel",
                        "provider",
                        "byok",
                        "routing",
                        "usage",
                        "observe",
                        "gateway",
                        "rest.admin",
                        "rest.realm"));
    }

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void everyPackageHasItsPlaceInTheTable() {
        Set<String> packages = MAIN.stream()
                .map(JavaClass::getPackageName)
                .map(p -> p.substring(BASE.length() + 1))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                new TreeSet<>(MAY_IMPORT.keySet()),
                packages,
                "the packages of the extension and the table in ArchitectureTest (and docs/development.md) differ");
    }

    @Test
    void eachPackageImportsOnlyWhatItsRowAllows() {
        MAY_IMPORT.forEach((pkg, allowed) -> {
            String[] own = allowed.stream().map(p -> BASE + "." + p).toArray(String[]::new);
            classes()
                    .that()
                    .resideInAPackage(BASE + "." + pkg)
                    .should()
                    .onlyDependOnClassesThat(resideOutsideOfPackage(BASE + "..")
                            .or(resideInAnyPackage(BASE + "." + pkg))
                            .or(resideInAnyPackage(own)))
                    .as("classes in " + pkg + " import only " + (allowed.isEmpty() ? "nothing of ours" : allowed))
                    .check(MAIN);
        });
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(**)").should().beFreeOfCycles().check(MAIN);
    }
}
