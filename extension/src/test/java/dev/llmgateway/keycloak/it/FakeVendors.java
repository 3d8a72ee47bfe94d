package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Fake LLM vendors on loopback, one HTTP server for all of them: {@code /<vendor>/...} answers like that vendor, with
 * recorded real-shape bodies from {@code src/test/resources/vendors/<vendor>/}. The API key steers the outcome:
 * keys containing {@code invalid} get the vendor's 401, {@code ratelimited} its 429 with Retry-After, {@code slow} an
 * answer after {@link #SLOW_MILLIS}, {@code unavailable} a 503; keys starting with {@code sk-test} succeed. In chat
 * calls, {@code answerslow} answers after {@link #ANSWER_SLOW_MILLIS}, {@code streamslow} streams slowly and
 * {@code streamnousage} streams without any usage even when asked, {@code streamcut} drops the connection after the
 * answer text (before any usage), {@code xgroqonly} streams Groq's usage only in its {@code x_groq} object; tests can
 * script the usage figures per key ({@link #script}), which each vendor reports in its own shape ({@link VendorUsage}).
 * Embeddings: {@link FakeEmbeddings}.
 * Shared by every test class of the JVM.
 */
public final class FakeVendors {

    public static final long SLOW_MILLIS = 7_000;
    public static final String RETRY_AFTER = "7";

    /** The path under the vendor's prefix that its real base URL ends with. */
    private static final Map<String, String> BASE_PATHS = Map.of(
            "openai",
            "/v1",
            "anthropic",
            "/v1",
            "openrouter",
            "/api/v1",
            "together",
            "/v1",
            "huggingface",
            "/v1",
            "cohere",
            "",
            "groq",
            "/openai/v1",
            "mistral",
            "/v1",
            "custom",
            "/v1");

    private static final Map<String, String> MODEL_PATHS = Map.of(
            "openai",
            "/v1/models",
            "anthropic",
            "/v1/models",
            "openrouter",
            "/api/v1/models",
            "together",
            "/v1/models",
            "huggingface",
            "/v1/models",
            "cohere",
            "/v1/models",
            "groq",
            "/openai/v1/models",
            "mistral",
            "/v1/models",
            "custom",
            "/v1/models");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeVendors instance;

    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Set<String> outages = ConcurrentHashMap.newKeySet();
    private final Map<String, VendorUsage> scripted = new ConcurrentHashMap<>();

    /** One request as the vendor saw it; {@code traceparent} is the W3C trace context header, null when none came. */
    public record Recorded(
            String vendor,
            String method,
            String path,
            String authorization,
            String apiKeyHeader,
            String anthropicVersion,
            String body,
            String traceparent,
            String anthropicBeta) {}

    private FakeVendors() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-vendor");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public static synchronized FakeVendors get() {
        if (instance == null) {
            try {
                instance = new FakeVendors();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public static List<String> vendors() {
        return List.of(
                "openrouter", "openai", "anthropic", "together", "huggingface", "cohere", "groq", "mistral", "custom");
    }

    /** The base URL an admin would configure for this vendor, pointing at the fake. */
    public String baseUrl(String vendor) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + vendor + BASE_PATHS.get(vendor);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
    }

    /**
     * Starts or ends an outage for the keys that contain {@code keyPart}: every request with such a key, model list
     * or chat, gets the vendor's 503 until the outage ends.
     */
    public void outage(String keyPart, boolean on) {
        if (on) {
            outages.add(keyPart);
        } else {
            outages.remove(keyPart);
        }
    }

    /**
     * From now on, chat calls with a key containing {@code keyPart} report {@code usage} (in the vendor's own shape);
     * null returns them to {@link VendorUsage#DEFAULT}.
     */
    public void script(String keyPart, VendorUsage usage) {
        if (usage == null) {
            scripted.remove(keyPart);
        } else {
            scripted.put(keyPart, usage);
        }
    }

    private VendorUsage usageFor(String key) {
        if (key != null) {
            for (Map.Entry<String, VendorUsage> e : scripted.entrySet()) {
                if (key.contains(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    /** The number of models each fixture lists that a provider offers (chat and embedding models, as the parser keeps). */
    public static int expectedModelCount(String vendor) {
        return switch (vendor) {
            case "openai" -> 5;
            case "anthropic", "groq", "together", "cohere" -> 3;
            case "openrouter" -> 4;
            case "huggingface", "mistral", "custom" -> 2;
            default -> throw new IllegalArgumentException(vendor);
        };
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String[] parts = path.split("/", 3);
            String vendor = parts.length > 1 ? parts[1] : "";
            String rest = parts.length > 2 ? "/" + parts[2] : "/";
            String authorization = ex.getRequestHeaders().getFirst("Authorization");
            String xApiKey = ex.getRequestHeaders().getFirst("x-api-key");
            String version = ex.getRequestHeaders().getFirst("anthropic-version");
            String requestBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Recorded(
                    vendor,
                    ex.getRequestMethod(),
                    path,
                    authorization,
                    xApiKey,
                    version,
                    requestBody,
                    ex.getRequestHeaders().getFirst("traceparent"),
                    ex.getRequestHeaders().getFirst("anthropic-beta")));
            String presented = xApiKey != null ? xApiKey : authorization;
            if (presented != null && outages.stream().anyMatch(presented::contains)) {
                send(
                        ex,
                        503,
                        vendor.equals("anthropic")
                                ? "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Service unavailable\"}}"
                                : "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}");
                return;
            }

            if (vendor.equals("anthropic")
                    && ex.getRequestMethod().equals("POST")
                    && rest.equals("/v1/messages/count_tokens")) {
                AnthropicTokenCount.answer(ex, xApiKey, version, requestBody);
                return;
            }
            if (vendor.equals("anthropic") && ex.getRequestMethod().equals("POST") && rest.equals("/v1/messages")) {
                anthropicMessages(ex, xApiKey, version, requestBody);
                return;
            }
            if (ex.getRequestMethod().equals("POST")
                    && BASE_PATHS.containsKey(vendor)
                    && FakeEmbeddings.serves(vendor, rest, BASE_PATHS.get(vendor))) {
                FakeEmbeddings.answer(ex, vendor, authorization, requestBody);
                return;
            }
            if (vendor.equals("openai") && ex.getRequestMethod().equals("POST") && rest.equals("/v1/responses")) {
                responses(ex, authorization, requestBody);
                return;
            }
            if (ex.getRequestMethod().equals("POST") && rest.equals(chatPath(vendor))) {
                chat(ex, vendor, authorization, requestBody);
                return;
            }
            if (!MODEL_PATHS.containsKey(vendor)
                    || !MODEL_PATHS.get(vendor).equals(rest)
                    || !ex.getRequestMethod().equals("GET")) {
                send(ex, 404, "{\"error\":{\"message\":\"Not found\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            String key;
            if (vendor.equals("anthropic")) {
                if (version == null) {
                    send(
                            ex,
                            400,
                            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"anthropic-version: header is required\"}}");
                    return;
                }
                key = xApiKey;
            } else {
                key = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
            }
            if (key == null || key.contains("invalid") || !key.startsWith("sk-test")) {
                send(ex, 401, fixture(vendor, "error-401.json").replace("{KEY}", key == null ? "" : key));
            } else if (key.contains("ratelimited")) {
                ex.getResponseHeaders().add("Retry-After", RETRY_AFTER);
                send(ex, 429, fixture(vendor, "error-429.json"));
            } else if (key.contains("unavailable")) {
                send(ex, 503, "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}");
            } else {
                if (key.contains("slow")) {
                    sleep(SLOW_MILLIS);
                }
                send(ex, 200, fixture(vendor, "models.json"));
            }
        }
    }

    static String chatPath(String vendor) {
        return vendor.equals("cohere")
                ? "/compatibility/v1/chat/completions"
                : BASE_PATHS.get(vendor) + "/chat/completions";
    }

    /** OpenAI's Responses API ({@link FakeResponses}), with the chat endpoint's key triggers for failures. */
    private void responses(HttpExchange ex, String authorization, String body) throws IOException {
        String key = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        if (key.contains("fail401") || !key.startsWith("sk-test")) {
            send(ex, 401, fixture("openai", "error-401.json").replace("{KEY}", key));
            return;
        }
        if (key.contains("fail429")) {
            ex.getResponseHeaders().add("Retry-After", RETRY_AFTER);
            send(ex, 429, fixture("openai", "error-429.json"));
            return;
        }
        if (key.contains("fail503")) {
            send(ex, 503, "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}");
            return;
        }
        VendorUsage figures = usageFor(key);
        FakeResponses.answer(ex, JSON.readTree(body), figures != null ? figures : defaultUsage("openai"));
    }

    /** Prompt, completion and cached prompt tokens every fake completion reports. */
    public static final long PROMPT_TOKENS = 1200;

    public static final long COMPLETION_TOKENS = 80;
    public static final long CACHED_TOKENS = 1000;

    /**
     * OpenAI-compatible chat completions. Keys that pass the list-models call steer chat failures: {@code fail401},
     * {@code fail429} (with Retry-After), {@code fail503}, {@code failstall} (answers after {@link #SLOW_MILLIS}),
     * {@code faildrop} (drops the connection), {@code echo400} (a 400 quoting the key in masked forms, as vendors do);
     * {@code "max_tokens": -1} gets the vendor's 400.
     */
    private void chat(HttpExchange ex, String vendor, String authorization, String body) throws IOException {
        String key = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        if (key.contains("faildrop")) {
            return; // closes the exchange without an answer: the connection drops
        }
        if (key.contains("fail401") || !key.startsWith("sk-test")) {
            send(ex, 401, fixture(vendor, "error-401.json").replace("{KEY}", key));
            return;
        }
        if (key.contains("fail429")) {
            ex.getResponseHeaders().add("Retry-After", RETRY_AFTER);
            send(ex, 429, fixture(vendor, "error-429.json"));
            return;
        }
        if (key.contains("fail503")) {
            send(ex, 503, "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}");
            return;
        }
        if (key.contains("failstall")) {
            sleep(SLOW_MILLIS);
        }
        if (key.contains("answerslow")) {
            sleep(ANSWER_SLOW_MILLIS);
        }
        JsonNode request = JSON.readTree(body);
        if (key.contains("echo400")) {
            // As vendors do when they refuse a request: quote the key, masked in the middle (and in a second form).
            String masked = key.substring(0, 8) + "****" + key.substring(key.length() - 4);
            send(
                    ex,
                    400,
                    "{\"error\":{\"message\":\"This request was refused for key " + masked + ". Keys ending in ..."
                            + key.substring(key.length() - 4) + " may not use this model.\","
                            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_allowed\"}}");
            return;
        }
        if (request.path("max_tokens").asInt(1) < 0) {
            send(
                    ex,
                    400,
                    "{\"error\":{\"message\":\"Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead.\",\"type\":\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":\"integer_below_min_value\"}}");
            return;
        }
        String model = request.path("model").asText();
        VendorUsage figures = usageFor(key);
        VendorUsage usage = figures != null ? figures : defaultUsage(vendor);
        if (request.path("stream").asBoolean(false)) {
            stream(
                    ex,
                    request,
                    vendor,
                    model,
                    usage,
                    request.path("stream_options").path("include_usage").asBoolean(false),
                    key.contains("streamnousage"),
                    key.contains("streamcut"),
                    key.contains("xgroqonly"),
                    key.contains("streamslow") ? STREAM_SLOW_GAP_MILLIS : 0);
            return;
        }
        ObjectNode completion = completion(vendor, model, usage);
        ObjectNode message = (ObjectNode) completion.at("/choices/0/message");
        ObjectNode call = forcedCall(request);
        String structured = structuredAnswer(request);
        if (call != null) {
            message.putNull("content");
            message.putArray("tool_calls").add(call);
            ((ObjectNode) completion.at("/choices/0")).put("finish_reason", "tool_calls");
        } else if (structured != null) {
            message.put("content", structured);
        }
        send(ex, 200, JSON.writeValueAsString(completion));
    }

    /** What a vendor reports unless scripted: the default figures, without cached tokens where it has no field. */
    private static VendorUsage defaultUsage(String vendor) {
        VendorUsage d = VendorUsage.DEFAULT;
        return VendorUsage.reportsCachedTokens(vendor)
                ? d
                : new VendorUsage(d.prompt(), d.completion(), 0, 0, 0, 0, null, null);
    }

    /** A non-streamed completion as the vendor answers it: OpenAI's body with the vendor's usage and extras. */
    static ObjectNode completion(String vendor, String model, VendorUsage usage) {
        ObjectNode body;
        try {
            body = (ObjectNode) JSON.readTree(fixture("openai", "chat-completion.json")
                    .replace("{MODEL}", model)
                    .replace("{VENDOR}", vendor));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        body.set("usage", usage.usageJson(vendor));
        body.remove("service_tier");
        body.remove("system_fingerprint");
        switch (vendor) {
            case "openai" -> {
                body.put("service_tier", usage.serviceTier() == null ? "default" : usage.serviceTier());
                body.put("system_fingerprint", "fp_fc9f1d7035");
            }
            case "groq" -> {
                body.put("service_tier", "on_demand");
                body.put("system_fingerprint", "fp_3f3b593e33");
                body.putObject("x_groq").put("id", "req_01jbd6g2qdfw2adyrt2az8hz4w");
            }
            case "openrouter" -> body.put("provider", "OpenAI");
            case "together" -> body.putArray("prompt");
            default -> {
                // Mistral, Cohere's compatibility API, Hugging Face and vLLM add nothing billing-related
            }
        }
        return body;
    }

    /** The text of the recorded Anthropic answer (non-streamed and streamed). */
    public static final String ANTHROPIC_TEXT = "Bonjour ! À Paris il fait 21 °C ☀️ — parfait pour une promenade.";

    /**
     * Anthropic's Messages API: recorded answers ({@code message.json}, {@code stream.txt}); the same key triggers as
     * the chat endpoint (a 503 is Anthropic's 529 "overloaded"); a missing max_tokens gets Anthropic's 400.
     */
    private void anthropicMessages(HttpExchange ex, String key, String version, String body) throws IOException {
        if (version == null) {
            send(
                    ex,
                    400,
                    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"anthropic-version: header is required\"}}");
            return;
        }
        if (key == null || key.contains("fail401") || !key.startsWith("sk-test")) {
            send(ex, 401, fixture("anthropic", "error-401.json"));
            return;
        }
        if (key.contains("fail503")) {
            send(ex, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
            return;
        }
        JsonNode request = JSON.readTree(body);
        if (!request.has("max_tokens")) {
            send(
                    ex,
                    400,
                    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: Field required\"}}");
            return;
        }
        VendorUsage figures = usageFor(key);
        JsonNode forced = request.path("tool_choice");
        if ("tool".equals(forced.path("type").asText())) {
            forcedTool(ex, request, forced.path("name").asText());
            return;
        }
        if ("any".equals(forced.path("type").asText()) && request.path("tools").size() > 0) {
            forcedTool(ex, request, request.path("tools").get(0).path("name").asText());
            return;
        }
        if (!request.path("stream").asBoolean(false)) {
            if (figures == null) {
                send(ex, 200, fixture("anthropic", "message.json"));
            } else {
                ObjectNode message = (ObjectNode) JSON.readTree(fixture("anthropic", "message.json"));
                message.set("usage", figures.anthropicUsage(figures.completion()));
                send(ex, 200, message.toString());
            }
            return;
        }
        boolean cut = key.contains("streamcut");
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        try (java.io.OutputStream out = ex.getResponseBody()) {
            if (figures == null && !cut) {
                out.write(fixture("anthropic", "stream.txt").getBytes(StandardCharsets.UTF_8));
                return;
            }
            StringBuilder sent = new StringBuilder();
            for (String line : fixture("anthropic", "stream.txt").split("\n", -1)) {
                if (cut && line.equals("event: message_delta")) {
                    break; // the connection drops before Anthropic's final count
                }
                if (figures != null && line.startsWith("data: {\"type\":\"message_")) {
                    ObjectNode event = (ObjectNode) JSON.readTree(line.substring(6));
                    if (event.path("type").asText().equals("message_start")) {
                        ((ObjectNode) event.get("message")).set("usage", figures.anthropicUsage(1));
                    } else if (event.path("type").asText().equals("message_delta")) {
                        event.putObject("usage").put("output_tokens", figures.completion());
                    }
                    line = "data: " + event;
                }
                sent.append(line).append('\n');
            }
            out.write(sent.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the gateway hung up
        }
    }

    /**
     * Anthropic told to use one tool ({@code tool_choice: {"type":"tool"}}) answers with that tool's call, its input
     * filled from the tool's input schema (strings "Paris", numbers 21, booleans true), streamed as Anthropic streams
     * tool input (two {@code input_json_delta} fragments) when asked.
     */
    private void forcedTool(HttpExchange ex, JsonNode request, String name) throws IOException {
        JsonNode schema = null;
        for (JsonNode t : request.path("tools")) {
            if (name.equals(t.path("name").asText())) {
                schema = t.path("input_schema");
            }
        }
        ObjectNode input = fromSchema(schema);
        String usage = "\"usage\":{\"input_tokens\":120,\"output_tokens\":18}";
        if (!request.path("stream").asBoolean(false)) {
            send(
                    ex,
                    200,
                    "{\"id\":\"msg_forced\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
                            + request.path("model").asText()
                            + "\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_forced\","
                            + "\"name\":\"" + name + "\",\"input\":" + input + "}],\"stop_reason\":\"tool_use\","
                            + "\"stop_sequence\":null," + usage + "}");
            return;
        }
        // A tool without input streams one empty input_json_delta, as Anthropic does.
        String json = input.isEmpty() ? "" : input.toString();
        int half = json.length() / 2;
        List<String> events = List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_forced\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\""
                        + request.path("model").asText() + "\",\"content\":[],"
                        + "\"stop_reason\":null,\"usage\":{\"input_tokens\":120,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                        + "\"id\":\"toolu_forced\",\"name\":\"" + name + "\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                        + "\"partial_json\":" + JSON.writeValueAsString(json.substring(0, half)) + "}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                        + "\"partial_json\":" + JSON.writeValueAsString(json.substring(half)) + "}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
                        + "\"usage\":{\"output_tokens\":18}}",
                "{\"type\":\"message_stop\"}");
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        try (java.io.OutputStream out = ex.getResponseBody()) {
            for (String e : events) {
                String type = JSON.readTree(e).path("type").asText();
                out.write(("event: " + type + "\ndata: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the gateway hung up
        }
    }

    /** An object as a JSON schema describes it: strings "Paris", numbers 21, booleans true, lists empty. */
    static ObjectNode fromSchema(JsonNode schema) {
        ObjectNode out = JSON.createObjectNode();
        if (schema == null) {
            return out;
        }
        schema.path("properties").fields().forEachRemaining(p -> {
            switch (p.getValue().path("type").asText()) {
                case "number", "integer" -> out.put(p.getKey(), 21);
                case "boolean" -> out.put(p.getKey(), true);
                case "object" -> out.set(p.getKey(), fromSchema(p.getValue()));
                case "array" -> out.putArray(p.getKey());
                default -> out.put(p.getKey(), "Paris");
            }
        });
        return out;
    }

    /**
     * What an OpenAI-format vendor asked for structured output answers: JSON following {@code response_format}'s
     * schema ({@code {}} for json_object); null when the request does not ask for it.
     */
    static String structuredAnswer(JsonNode request) {
        JsonNode format = request.path("response_format");
        return switch (format.path("type").asText("")) {
            case "json_schema" ->
                fromSchema(format.path("json_schema").path("schema")).toString();
            case "json_object" -> "{\"answer\":\"Paris\"}";
            default -> null;
        };
    }

    /**
     * The tool an OpenAI-format vendor must call: {@code tool_choice} {@code required} (the first tool) or naming a
     * function; null otherwise. Its arguments follow the tool's parameters.
     */
    static ObjectNode forcedCall(JsonNode request) {
        JsonNode tools = request.path("tools");
        JsonNode choice = request.path("tool_choice");
        if (!tools.isArray() || tools.isEmpty()) {
            return null;
        }
        String name = choice.isTextual() && choice.asText().equals("required")
                ? tools.get(0).path("function").path("name").asText()
                : choice.path("function").path("name").asText(null);
        if (name == null) {
            return null;
        }
        for (JsonNode t : tools) {
            if (name.equals(t.path("function").path("name").asText())) {
                ObjectNode call =
                        JSON.createObjectNode().put("id", "call_fake_1").put("type", "function");
                call.putObject("function")
                        .put("name", name)
                        .put(
                                "arguments",
                                fromSchema(t.path("function").path("parameters"))
                                        .toString());
                return call;
            }
        }
        return null;
    }

    /** The pieces of every fake streamed answer; joined they read "Hello from <vendor>.". */
    public static List<String> streamPieces(String vendor) {
        return List.of("Hello", " from ", vendor, ".");
    }

    /**
     * How long keys containing {@code answerslow} wait before a chat answer: shorter than the gateway's upstream
     * timeout in the tests, longer than a caller that gives up.
     */
    public static final long ANSWER_SLOW_MILLIS = 1_500;

    /** Gap between the events of a slow stream (keys containing {@code streamslow}). */
    public static final long STREAM_SLOW_GAP_MILLIS = 2_000;

    /**
     * A vendor's streamed answer: a role chunk, content chunks and a finish chunk, then its usage where that vendor puts
     * it. OpenAI, Cohere's compatibility API, Hugging Face (TGI, with an empty id) and vLLM send a last chunk with no
     * choices and the usage, only when asked ({@code stream_options.include_usage}); OpenRouter always sends it; Mistral
     * and Together put the usage on the finish chunk, unasked; Groq puts it in {@code x_groq.usage} of the finish
     * chunk, and also sends the usage chunk when asked. OpenAI marks every chunk with its service tier.
     * {@code noUsage}: no usage anywhere; {@code cut}: the connection drops after the content; {@code xGroqOnly}: Groq
     * without its usage chunk (the usage only in {@code x_groq}, as Groq streams when not asked).
     */
    private static void stream(
            HttpExchange ex,
            JsonNode request,
            String vendor,
            String model,
            VendorUsage usage,
            boolean includeUsage,
            boolean noUsage,
            boolean cut,
            boolean xGroqOnly,
            long gapMillis)
            throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        java.io.OutputStream out = ex.getResponseBody();
        boolean usageChunk = !noUsage
                && !xGroqOnly
                && (vendor.equals("openrouter")
                        || (includeUsage && !vendor.equals("mistral") && !vendor.equals("together")));
        boolean usageOnFinish = !noUsage && (vendor.equals("mistral") || vendor.equals("together"));
        List<ObjectNode> events = new java.util.ArrayList<>();
        events.add(chunk(
                vendor,
                model,
                usage,
                includeUsage,
                JSON.createObjectNode().put("role", "assistant").put("content", "")));
        ObjectNode call = forcedCall(request);
        String structured = structuredAnswer(request);
        if (call != null) {
            // OpenAI streams a tool call as its id and name, then the arguments in pieces.
            String arguments = call.path("function").path("arguments").asText();
            ObjectNode first = JSON.createObjectNode();
            ObjectNode head =
                    first.putArray("tool_calls").addObject().put("index", 0).put("id", "call_fake_1");
            head.put("type", "function");
            head.putObject("function")
                    .put("name", call.path("function").path("name").asText())
                    .put("arguments", "");
            events.add(chunk(vendor, model, usage, includeUsage, first));
            int half = arguments.length() / 2;
            for (String piece : List.of(arguments.substring(0, half), arguments.substring(half))) {
                ObjectNode d = JSON.createObjectNode();
                d.putArray("tool_calls")
                        .addObject()
                        .put("index", 0)
                        .putObject("function")
                        .put("arguments", piece);
                events.add(chunk(vendor, model, usage, includeUsage, d));
            }
        } else {
            List<String> pieces = structured == null
                    ? streamPieces(vendor)
                    : List.of(
                            structured.substring(0, structured.length() / 2),
                            structured.substring(structured.length() / 2));
            for (String piece : pieces) {
                events.add(chunk(
                        vendor,
                        model,
                        usage,
                        includeUsage,
                        JSON.createObjectNode().put("content", piece)));
            }
        }
        ObjectNode finish = chunk(vendor, model, usage, includeUsage, JSON.createObjectNode());
        ((ObjectNode) finish.get("choices").get(0)).put("finish_reason", call != null ? "tool_calls" : "stop");
        if (usageOnFinish) {
            finish.set("usage", usage.usageJson(vendor));
        }
        if (vendor.equals("groq") && !noUsage) {
            ObjectNode x = finish.putObject("x_groq");
            x.put("id", "req_01jbd6g2qdfw2adyrt2az8hz4w");
            x.set("usage", usage.usageJson(vendor));
        }
        List<String> lines = new java.util.ArrayList<>();
        events.forEach(e -> lines.add(e.toString()));
        if (!cut) {
            lines.add(finish.toString());
            if (usageChunk) {
                ObjectNode last = chunk(vendor, model, usage, includeUsage, null);
                last.putArray("choices");
                last.set("usage", usage.usageJson(vendor));
                if (vendor.equals("huggingface")) {
                    last.put("id", "");
                }
                lines.add(last.toString());
            }
            lines.add("[DONE]");
        }
        try {
            for (String e : lines) {
                out.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (gapMillis > 0) {
                    sleep(gapMillis);
                }
            }
            out.close();
        } catch (IOException e) {
            // the gateway hung up
        }
    }

    /** One chunk with one choice carrying {@code delta} (none when null). */
    private static ObjectNode chunk(
            String vendor, String model, VendorUsage usage, boolean includeUsage, ObjectNode delta) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", "chatcmpl-fake");
        c.put("object", "chat.completion.chunk");
        c.put("created", 1741569952);
        c.put("model", model);
        if (vendor.equals("openai")) {
            c.put("service_tier", usage.serviceTier() == null ? "default" : usage.serviceTier());
            c.put("system_fingerprint", "fp_fake");
        }
        if (delta != null) {
            ObjectNode choice = c.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.putNull("finish_reason");
        }
        if ((includeUsage && !vendor.equals("mistral")) || vendor.equals("together")) {
            c.putNull("usage");
        }
        return c;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String fixture(String vendor, String file) {
        try (InputStream in = FakeVendors.class.getResourceAsStream("/vendors/" + vendor + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + vendor + "/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the caller gave up (timeout test); nothing to do
        }
    }
}
