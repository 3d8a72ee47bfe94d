package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * OpenAI's Responses API ({@code POST /v1/responses}) for {@link FakeVendors}, in its wire format: a response object,
 * or when streamed the events OpenAI sends ({@code event:} lines, {@code sequence_number} from 0, no {@code [DONE]}).
 * A request that forces a function ({@code tool_choice} {@code {"type":"function","name":…}} or {@code required})
 * gets that function's call, its arguments filled from the tool's parameters ({@link FakeVendors#fromSchema}); any
 * other request the text {@link #TEXT}. The usage is the key's scripted figures or the defaults, in the Responses
 * shape ({@code input_tokens}, {@code input_tokens_details.cached_tokens} …).
 */
final class FakeResponses {

    /** What the fake answers in text. */
    static final String TEXT = "Hello from the OpenAI Responses API.";

    /** The call id of every fake function call. */
    static final String CALL_ID = "call_fakeResponses1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeResponses() {}

    static void answer(HttpExchange ex, JsonNode request, VendorUsage usage) throws IOException {
        String model = request.path("model").asText();
        ObjectNode call = forcedCall(request);
        ObjectNode item = call != null ? call : message(TEXT, "completed");
        if (!request.path("stream").asBoolean(false)) {
            ObjectNode response = response(request, model, "completed");
            response.withArray("output").add(item);
            response.set("usage", usage(usage));
            response.put("service_tier", tier(usage));
            send(ex, JSON.writeValueAsString(response));
            return;
        }
        List<ObjectNode> events = new ArrayList<>();
        events.add(event("response.created").set("response", response(request, model, "in_progress")));
        events.add(event("response.in_progress").set("response", response(request, model, "in_progress")));
        ObjectNode added = event("response.output_item.added").put("output_index", 0);
        if (call != null) {
            ObjectNode open = call.deepCopy().put("status", "in_progress").put("arguments", "");
            added.set("item", open);
            events.add(added);
            String arguments = call.path("arguments").asText();
            int half = arguments.length() / 2;
            for (String piece : List.of(arguments.substring(0, half), arguments.substring(half))) {
                events.add(event("response.function_call_arguments.delta")
                        .put("item_id", call.path("id").asText())
                        .put("output_index", 0)
                        .put("delta", piece)
                        .put("obfuscation", "kX3p"));
            }
            events.add(event("response.function_call_arguments.done")
                    .put("item_id", call.path("id").asText())
                    .put("output_index", 0)
                    .put("name", call.path("name").asText())
                    .put("arguments", arguments));
        } else {
            String id = item.path("id").asText();
            added.set("item", message(null, "in_progress"));
            events.add(added);
            ObjectNode part = event("response.content_part.added")
                    .put("item_id", id)
                    .put("output_index", 0)
                    .put("content_index", 0);
            part.set("part", textPart(""));
            events.add(part);
            for (String piece : List.of("Hello", " from the", " OpenAI", " Responses API.")) {
                ObjectNode delta = event("response.output_text.delta")
                        .put("item_id", id)
                        .put("output_index", 0)
                        .put("content_index", 0)
                        .put("delta", piece);
                delta.putArray("logprobs");
                delta.put("obfuscation", "a1B2c3");
                events.add(delta);
            }
            ObjectNode done = event("response.output_text.done")
                    .put("item_id", id)
                    .put("output_index", 0)
                    .put("content_index", 0)
                    .put("text", TEXT);
            done.putArray("logprobs");
            events.add(done);
            ObjectNode partDone = event("response.content_part.done")
                    .put("item_id", id)
                    .put("output_index", 0)
                    .put("content_index", 0);
            partDone.set("part", textPart(TEXT));
            events.add(partDone);
        }
        events.add(event("response.output_item.done").put("output_index", 0).set("item", item));
        ObjectNode completed = response(request, model, "completed");
        completed.withArray("output").add(item);
        completed.set("usage", usage(usage));
        completed.put("service_tier", tier(usage));
        events.add(event("response.completed").set("response", completed));
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            int sequence = 0;
            for (ObjectNode e : events) {
                e.put("sequence_number", sequence++);
                out.write(("event: " + e.path("type").asText() + "\ndata: " + JSON.writeValueAsString(e) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the gateway hung up
        }
    }

    /** The function the request forces, as a completed function_call item; null when none is forced. */
    private static ObjectNode forcedCall(JsonNode request) {
        JsonNode choice = request.path("tool_choice");
        JsonNode tools = request.path("tools");
        String name = choice.isTextual() && choice.asText().equals("required") && tools.size() > 0
                ? tools.get(0).path("name").asText()
                : "function".equals(choice.path("type").asText())
                        ? choice.path("name").asText()
                        : null;
        if (name == null) {
            return null;
        }
        for (JsonNode t : tools) {
            if ("function".equals(t.path("type").asText())
                    && name.equals(t.path("name").asText())) {
                return JSON.createObjectNode()
                        .put("id", "fc_68a5c6e3d1f48190b9a8c7d6e5f4a3b20e1f2a3b4c5d6e7f")
                        .put("type", "function_call")
                        .put("status", "completed")
                        .put(
                                "arguments",
                                FakeVendors.fromSchema(t.path("parameters")).toString())
                        .put("call_id", CALL_ID)
                        .put("name", name);
            }
        }
        return null;
    }

    private static ObjectNode message(String text, String status) {
        ObjectNode m = JSON.createObjectNode()
                .put("id", "msg_68a5c6e2c4e88190a5c1d0e9f8a7b6c50e1f2a3b4c5d6e7f")
                .put("type", "message")
                .put("status", status);
        var content = m.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        m.put("role", "assistant");
        return m;
    }

    private static ObjectNode textPart(String text) {
        ObjectNode p = JSON.createObjectNode().put("type", "output_text");
        p.putArray("annotations");
        p.putArray("logprobs");
        p.put("text", text);
        return p;
    }

    private static ObjectNode event(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    /** The response object, echoing the request's settings as OpenAI does. */
    private static ObjectNode response(JsonNode request, String model, String status) {
        ObjectNode r = JSON.createObjectNode()
                .put("id", "resp_68a5c6e1b0a08190b4a2b2f6f3a4c5d60e1f2a3b4c5d6e7f")
                .put("object", "response")
                .put("created_at", 1755694817)
                .put("status", status)
                .put("background", false);
        r.putObject("billing").put("payer", "developer");
        r.putNull("error");
        r.putNull("incomplete_details");
        r.set("instructions", request.has("instructions") ? request.get("instructions") : JSON.nullNode());
        r.set(
                "max_output_tokens",
                request.has("max_output_tokens") ? request.get("max_output_tokens") : JSON.nullNode());
        r.putNull("max_tool_calls");
        r.put("model", model);
        r.putArray("output");
        r.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        r.putNull("previous_response_id");
        r.putNull("prompt_cache_key");
        ObjectNode reasoning = r.putObject("reasoning");
        reasoning.putNull("effort");
        reasoning.putNull("summary");
        r.putNull("safety_identifier");
        r.put("service_tier", "default");
        r.put("store", request.path("store").asBoolean(true));
        r.put("temperature", request.path("temperature").asDouble(1.0));
        ObjectNode text = r.putObject("text");
        text.putObject("format").put("type", "text");
        text.put("verbosity", "medium");
        r.set("tool_choice", request.has("tool_choice") ? request.get("tool_choice") : JSON.valueToTree("auto"));
        r.set("tools", request.has("tools") ? request.get("tools") : JSON.createArrayNode());
        r.put("top_logprobs", 0);
        r.put("top_p", request.path("top_p").asDouble(1.0));
        r.put("truncation", "disabled");
        r.putNull("usage");
        r.putNull("user");
        r.set("metadata", request.has("metadata") ? request.get("metadata") : JSON.createObjectNode());
        return r;
    }

    private static String tier(VendorUsage u) {
        return u.serviceTier() == null ? "default" : u.serviceTier();
    }

    private static ObjectNode usage(VendorUsage u) {
        ObjectNode o = JSON.createObjectNode().put("input_tokens", u.prompt());
        o.putObject("input_tokens_details").put("cached_tokens", u.cached());
        o.put("output_tokens", u.completion());
        o.putObject("output_tokens_details").put("reasoning_tokens", u.reasoning());
        o.put("total_tokens", u.prompt() + u.completion());
        return o;
    }

    private static void send(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
