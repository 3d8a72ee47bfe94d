package dev.llmgateway.keycloak.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** docs/operations.md lists every metric of {@link Metric} with its type and labels, and no other. */
class MetricsDocsTest {

    static final Path OPERATIONS = Path.of("..", "docs", "operations.md");

    @Test
    void theOperationsGuideListsEveryMetricWithItsTypeAndLabels() throws IOException {
        Map<String, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(OPERATIONS)) {
            if (line.startsWith("| `llm_gateway_")) {
                String[] cells = line.split("\\|");
                rows.put(cells[1].trim().replace("`", ""), cells);
            }
        }
        for (Metric m : Metric.values()) {
            String[] cells = rows.remove(m.prometheusName());
            assertNotNull(cells, m.prometheusName() + " has a row in docs/operations.md");
            String type = switch (m.type()) {
                case COUNTER -> "counter";
                case GAUGE -> "gauge";
                case TIMER -> "histogram";
            };
            assertEquals(type, cells[2].trim(), m.prometheusName());
            assertEquals(String.join(", ", m.labels()), cells[3].trim(), m.prometheusName());
        }
        assertEquals(Map.of(), rows, "rows of metrics the gateway does not register");
    }
}
