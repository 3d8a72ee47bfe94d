package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Plain HTTP against the running server, as an admin console or script would call it. */
public final class Api {

    public static final String BASE = "http://localhost:8080";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Api() {}

    public record Reply(int status, String text, Map<String, java.util.List<String>> headers) {
        public JsonNode json() {
            try {
                return text == null || text.isEmpty() ? MissingNode.getInstance() : JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + text);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json);
        }
    }

    /** An access token from the password grant of {@code admin-cli} in the given realm. */
    public static String token(String realm, String username, String password) {
        return token(BASE, realm, username, password);
    }

    /** The same from the server at {@code base} (another node of a cluster). */
    public static String token(String base, String realm, String username, String password) {
        Reply r = form(
                base + "/realms/" + realm + "/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", username, "password", password));
        if (r.status() != 200) {
            throw new AssertionError("token request for " + username + " failed: HTTP " + r.status() + " " + r.text());
        }
        return r.json().get("access_token").asText();
    }

    public static String masterAdminToken() {
        return token("master", "admin", "admin");
    }

    public static String admin(String realm, String path) {
        return BASE + "/admin/realms/" + realm + "/llm" + path;
    }

    /**
     * For tests about routing rather than power levels: one level, "unlimited" (models ["*"]), the realm's default,
     * so every model is reachable whatever its price.
     */
    public static void allowEveryModel(String realm) {
        Reply r = put(
                admin(realm, "/power-levels"),
                masterAdminToken(),
                Map.of(
                        "default",
                        "unlimited",
                        "levels",
                        java.util.List.of(
                                Map.of("id", "unlimited", "name", "Unlimited", "models", java.util.List.of("*")))));
        if (r.status() != 200) {
            throw new AssertionError(
                    "could not set the power levels of " + realm + ": HTTP " + r.status() + " " + r.text());
        }
    }

    public static Reply get(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), token);
    }

    /** A GET that accepts any media type (CSV downloads). */
    public static Reply download(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        request.timeout(Duration.ofSeconds(60)).header("Accept", "*/*");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply delete(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE(), token);
    }

    public static Reply post(String url, String token, Object body) {
        return send(
                HttpRequest.newBuilder(URI.create(url)).POST(bodyOf(body)).header("Content-Type", "application/json"),
                token);
    }

    public static Reply put(String url, String token, Object body) {
        return send(
                HttpRequest.newBuilder(URI.create(url)).PUT(bodyOf(body)).header("Content-Type", "application/json"),
                token);
    }

    /** A raw body, sent as given (for malformed JSON and oversized bodies). */
    public static Reply postRaw(String url, String token, String body) {
        KeyLedger.trackBody(body);
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json"),
                token);
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        try {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            KeyLedger.trackBody(text);
            return HttpRequest.BodyPublishers.ofString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Any method with a raw body (null: none) and content type, accepting any answer type; a connection the server
     * closes instead of answering is reported as status 0 with the exception's text, so a test can name it.
     */
    public static Reply exchange(String method, String url, String token, String contentType, byte[] body) {
        if (body != null) {
            KeyLedger.trackBody(new String(body, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json, text/csv;q=0.9, */*;q=0.1");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            return new Reply(0, "no answer: " + e, Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply form(String url, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/x-www-form-urlencoded"),
                null);
    }

    private static Reply send(HttpRequest.Builder request, String token) {
        request.timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
