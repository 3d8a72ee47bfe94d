package dev.llmgateway.keycloak.rest.realm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.llmgateway.keycloak.byok.KeyTestResult;
import dev.llmgateway.keycloak.byok.UserKey;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

/**
 * docs/openapi/realm-llm-api.yaml and the account console's API types (themes/account-ui/src/api/types.ts) follow the
 * answer records: each schema lists exactly the JSON properties the server's mapper writes for its record, in the
 * same order, and requires at least the ones that are always present; each TypeScript type has the same fields,
 * optional exactly where the schema does not require them.
 */
class RealmApiContractTest {

    private static final Path ROOT =
            Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private static final ObjectMapper SERVER = ObjectMapperResolver.createStreamSerializer();

    /** Schema name → the record the server writes for it. */
    private static final Map<String, Class<?>> RECORDS = new LinkedHashMap<>();

    static {
        RECORDS.put("ModelList", ModelList.class);
        RECORDS.put("Model", ModelList.Model.class);
        RECORDS.put("Me", Me.class);
        RECORDS.put("MeUser", Me.User.class);
        RECORDS.put("MePowerLevel", Me.Level.class);
        RECORDS.put("MeBudget", Me.Budget.class);
        RECORDS.put("Usage", UsageReport.class);
        RECORDS.put("UsageDay", UsageReport.Day.class);
        RECORDS.put("UsageTotals", UsageReport.Totals.class);
        RECORDS.put("Route", Route.class);
        RECORDS.put("RouteCandidate", Route.RouteCandidate.class);
        RECORDS.put("UsageAccepted", UsageAccepted.class);
        RECORDS.put("UserKey", UserKey.class);
        RECORDS.put("UserKeyLastTest", UserKey.LastTest.class);
        RECORDS.put("UserKeyTestResult", KeyTestResult.class);
    }

    /** TypeScript type → its schema, for the answers the account console reads. */
    private static final Map<String, String> TS_TYPES = Map.of(
            "UserKey",
            "UserKey",
            "UserKeyLastTest",
            "UserKeyLastTest",
            "UserKeyTestResult",
            "UserKeyTestResult",
            "Me",
            "Me",
            "MeUser",
            "MeUser",
            "MePowerLevel",
            "MePowerLevel",
            "MeBudget",
            "MeBudget",
            "Usage",
            "Usage",
            "UsageDay",
            "UsageDay",
            "UsageTotals",
            "UsageTotals");

    /** The name a component's {@code @JsonProperty} gives it (Jackson puts the annotation on the accessor too). */
    private static String jsonName(RecordComponent c) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        return p == null ? c.getName() : p.value();
    }

    private static JsonNode schemas() throws Exception {
        JsonNode spec = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("docs/openapi/realm-llm-api.yaml").toFile());
        return spec.path("components").path("schemas");
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Set<String> required(JsonNode schema) {
        Set<String> out = new TreeSet<>();
        schema.path("required").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void everySchemaListsItsRecordsPropertiesInOrder() throws Exception {
        JsonNode schemas = schemas();
        RECORDS.forEach((schema, type) -> {
            BeanDescription bean = SERVER.getSerializationConfig().introspect(SERVER.constructType(type));
            List<String> written = bean.findProperties().stream()
                    .map(BeanPropertyDefinition::getName)
                    .toList();
            List<String> declared = Arrays.stream(type.getRecordComponents())
                    .map(RealmApiContractTest::jsonName)
                    .toList();
            assertEquals(declared, written, type.getName() + ": Jackson's properties are its components, in order");
            JsonNode s = schemas.path(schema);
            assertEquals(written, names(s.path("properties")), "schema " + schema + " and record " + type.getName());
            assertTrue(
                    names(s.path("properties")).containsAll(required(s)),
                    "schema " + schema + " requires an unknown field");
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getType().isPrimitive()) {
                    assertTrue(
                            required(s).contains(jsonName(c)),
                            "schema " + schema + ": " + jsonName(c) + " is always present");
                }
            }
        });
    }

    @Test
    void theAccountConsolesTypesFollowTheSchemas() throws Exception {
        String ts = Files.readString(ROOT.resolve("themes/account-ui/src/api/types.ts"));
        Map<String, Map<String, Boolean>> types = new LinkedHashMap<>();
        Matcher m = Pattern.compile("export type (\\w+) = (?:(\\w+) & )?\\{\\n(.*?)\\n\\};", Pattern.DOTALL)
                .matcher(ts);
        while (m.find()) {
            Map<String, Boolean> fields = new LinkedHashMap<>();
            if (m.group(2) != null) {
                fields.putAll(types.get(m.group(2)));
            }
            Matcher f = Pattern.compile("^  (\\w+)(\\??):", Pattern.MULTILINE).matcher(m.group(3));
            while (f.find()) {
                fields.put(f.group(1), f.group(2).isEmpty());
            }
            types.put(m.group(1), fields);
        }
        JsonNode schemas = schemas();
        TS_TYPES.forEach((type, schema) -> {
            Map<String, Boolean> fields = types.get(type);
            assertTrue(fields != null, "types.ts has no type " + type);
            JsonNode s = schemas.path(schema);
            assertEquals(
                    new LinkedHashSet<>(names(s.path("properties"))),
                    new LinkedHashSet<>(fields.keySet()),
                    "fields of " + type + " in types.ts and schema " + schema);
            fields.forEach((name, mandatory) -> assertEquals(
                    required(s).contains(name),
                    mandatory,
                    type + "." + name + " is " + (mandatory ? "not optional" : "optional") + " in types.ts"));
        });
    }
}
