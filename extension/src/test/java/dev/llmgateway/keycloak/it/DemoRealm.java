package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo realm of {@code ./run}, imported from the repository's demo/llm-demo-realm.json as it stands. */
final class DemoRealm {

    static final String NAME = "llm-demo";
    static final Path FILE =
            Path.of(System.getProperty("user.dir")).resolveSibling("demo").resolve("llm-demo-realm.json");

    private DemoRealm() {}

    /**
     * Deletes a leftover demo realm and imports the file through the admin API: the same realm import (clients, roles,
     * users as the JSON lists them, then our realm setup) that {@code kc.sh start-dev --import-realm} runs.
     */
    static void importFresh() {
        String admin = Api.masterAdminToken();
        Api.Reply deleted = Api.delete(Api.BASE + "/admin/realms/" + NAME, admin);
        assertTrue(
                deleted.status() == 204 || deleted.status() == 404,
                "deleting " + NAME + ": " + deleted.status() + " " + deleted.text());
        String json;
        try {
            json = Files.readString(FILE, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Api.Reply created = Api.post(Api.BASE + "/admin/realms", admin, json);
        assertEquals(201, created.status(), "importing " + FILE + ": " + created.text());
    }
}
