package dev.llmgateway.keycloak.observe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in docs/grafana is built on exactly the names the gateway registers ({@link Metric}): every
 * metric name in its queries is one of them, every label it groups by is one of that metric's, and every metric has a
 * panel.
 */
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "llm-gateway-dashboard.json");

    private static final Pattern NAME = Pattern.compile("\\bllm_gateway_[a-z0-9_]+");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    /** Labels Prometheus adds to every scraped series, and the histogram bucket label. */
    private static final Set<String> SCRAPE_LABELS = Set.of("le", "instance", "job");

    private static List<String> queries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                out.add(target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            out.add(variable.at("/query/query").asText());
        }
        return out;
    }

    @Test
    void everyNameInTheQueriesIsOneTheGatewayRegisters() throws IOException {
        Set<String> registered = Metric.allSeries();
        List<String> queries = queries();
        assertFalse(queries.isEmpty());
        for (String q : queries) {
            Matcher m = NAME.matcher(q);
            boolean any = false;
            while (m.find()) {
                any = true;
                assertTrue(
                        registered.contains(m.group()), m.group() + " (in " + q + ") is not registered: " + registered);
            }
            assertTrue(any, "the query names a gateway metric: " + q);
        }
    }

    @Test
    void everyGroupingLabelBelongsToTheQueriedMetric() throws IOException {
        for (String q : queries()) {
            Set<String> allowed = new HashSet<>(SCRAPE_LABELS);
            Matcher names = NAME.matcher(q);
            while (names.find()) {
                for (Metric metric : Metric.values()) {
                    if (metric.series().contains(names.group())) {
                        allowed.addAll(metric.labels());
                    }
                }
            }
            Matcher by = BY.matcher(q);
            while (by.find()) {
                for (String label : by.group(1).split(",")) {
                    assertTrue(allowed.contains(label.trim()), "'" + label.trim() + "' is a label of " + q);
                }
            }
        }
    }

    @Test
    void everyMetricHasAPanel() throws IOException {
        String all = String.join("\n", queries());
        for (Metric metric : Metric.values()) {
            assertTrue(
                    metric.series().stream()
                            .anyMatch(s -> NAME.matcher(all)
                                    .results()
                                    .anyMatch(r -> r.group().equals(s))),
                    metric.prometheusName() + " is on the dashboard");
        }
    }
}
