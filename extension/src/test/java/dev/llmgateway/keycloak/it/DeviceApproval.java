package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The user's side of a device sign-in, through the pages a browser gets: open the verification link the device showed,
 * sign in on Keycloak's login form, then answer the grant page ("Do you grant these access privileges?") with Yes or
 * No. One cookie jar per sign-in, as one browser.
 */
final class DeviceApproval {

    private static final Pattern SHOWN_LINK = Pattern.compile("(http://\\S+/device\\?user_code=[A-Z0-9-]+)");
    private static final Pattern FORM = Pattern.compile("<form\\b[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z-]+)=\"([^\"]*)\"");
    /** Login form, grant page and status page: more means the pages changed and the test should say so. */
    private static final int MAX_PAGES = 4;

    /** Where the browser ended and what it showed. */
    record Outcome(URI uri, String page) {
        /** Keycloak's status page after a grant: {@code /realms/{realm}/device/status} without an error. */
        boolean approved() {
            return uri.getPath().endsWith("/device/status") && uri.getQuery() == null;
        }
    }

    private final HttpClient browser = HttpClient.newBuilder()
            .cookieHandler(new CookieJar())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private DeviceApproval() {}

    /** Opens the link, signs in as {@code username} and grants the device access; fails unless Keycloak confirms. */
    static Outcome approve(String verificationUriComplete, String username, String password) {
        Outcome o = new DeviceApproval().run(verificationUriComplete, username, password, true);
        assertTrue(
                o.approved(),
                "the device sign-in was not confirmed; the browser ended at " + o.uri() + ":\n" + o.page());
        return o;
    }

    /** Opens the link, signs in as {@code username} and answers No on the grant page. */
    static Outcome deny(String verificationUriComplete, String username, String password) {
        return new DeviceApproval().run(verificationUriComplete, username, password, false);
    }

    /**
     * The reader of a page that signs in with a device code: watches the text a script writes to {@code file} for the
     * link it shows ("Open http://…/device?user_code=…") and approves each new link as {@code username}, as a person
     * at a browser would while the script polls; stops after {@code seconds}. A link that is not approved (a stale
     * file's) is left alone.
     */
    static void approveLinksShownIn(Path file, String username, String password, long seconds) {
        Thread reader = new Thread(
                () -> {
                    Set<String> seen = new HashSet<>();
                    long deadline = System.currentTimeMillis() + seconds * 1000;
                    while (System.currentTimeMillis() < deadline) {
                        try {
                            if (Files.isRegularFile(file)) {
                                Matcher m = SHOWN_LINK.matcher(Files.readString(file, StandardCharsets.UTF_8));
                                while (m.find()) {
                                    if (seen.add(m.group(1))) {
                                        new DeviceApproval().run(m.group(1), username, password, true);
                                    }
                                }
                            }
                            Thread.sleep(250);
                        } catch (InterruptedException e) {
                            return;
                        } catch (IOException | RuntimeException e) {
                            // the file being rewritten, or a page that changed: the script's own check reports it
                        }
                    }
                },
                "device-approval");
        reader.setDaemon(true);
        reader.start();
    }

    private Outcome run(String link, String username, String password, boolean grant) {
        HttpResponse<String> page =
                send(HttpRequest.newBuilder(URI.create(link)).GET());
        for (int i = 0; i < MAX_PAGES; i++) {
            String html = page.body();
            Map<String, String> fields = new LinkedHashMap<>();
            String action;
            if (html.contains("id=\"kc-form-login\"")) {
                action = formAction(html, "kc-form-login");
                fields.putAll(hiddenInputs(html));
                fields.put("username", username);
                fields.put("password", password);
            } else if (html.contains("name=\"accept\"")) {
                action = formAction(html, null);
                fields.putAll(hiddenInputs(html));
                fields.put(grant ? "accept" : "cancel", grant ? "Yes" : "No");
            } else {
                return new Outcome(page.uri(), html);
            }
            page = send(HttpRequest.newBuilder(page.uri().resolve(action))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encode(fields))));
        }
        return new Outcome(page.uri(), page.body());
    }

    /** The action of the form with this id, or of the first form with an action when {@code id} is null. */
    private static String formAction(String html, String id) {
        Matcher m = FORM.matcher(html);
        while (m.find()) {
            Map<String, String> a = attributes(m.group());
            if (a.containsKey("action") && (id == null || id.equals(a.get("id")))) {
                return a.get("action");
            }
        }
        throw new AssertionError("no form" + (id == null ? "" : " '" + id + "'") + " with an action in:\n" + html);
    }

    private static Map<String, String> hiddenInputs(String html) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = INPUT.matcher(html);
        while (m.find()) {
            Map<String, String> a = attributes(m.group());
            if ("hidden".equals(a.get("type")) && a.containsKey("name")) {
                out.put(a.get("name"), a.getOrDefault("value", ""));
            }
        }
        return out;
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag);
        while (m.find()) {
            out.put(m.group(1).toLowerCase(java.util.Locale.ROOT), unescape(m.group(2)));
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
    }

    private static String encode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * One server's cookies, sent back on every request to it, as a browser does for localhost (a secure context even
     * over http). The JDK's CookieManager would drop Keycloak's sign-in cookies here: they are {@code Secure} (with
     * {@code SameSite=None}) and the host has no dot.
     */
    private static final class CookieJar extends CookieHandler {
        private final Map<String, String> cookies = new LinkedHashMap<>();

        @Override
        public synchronized Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) {
            if (cookies.isEmpty()) {
                return Map.of();
            }
            return Map.of(
                    "Cookie",
                    List.of(cookies.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("; "))));
        }

        @Override
        public synchronized void put(URI uri, Map<String, List<String>> responseHeaders) {
            responseHeaders.forEach((name, values) -> {
                if (name == null || !name.equalsIgnoreCase("Set-Cookie")) {
                    return;
                }
                for (String v : values) {
                    String pair = v.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String cookie = pair.substring(0, eq).trim();
                    String value = pair.substring(eq + 1).trim();
                    boolean removed = v.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty();
                    if (removed) {
                        cookies.remove(cookie);
                    } else {
                        cookies.put(cookie, value);
                    }
                }
            });
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return browser.send(
                    request.timeout(Duration.ofSeconds(30))
                            .header("Accept", "text/html")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
