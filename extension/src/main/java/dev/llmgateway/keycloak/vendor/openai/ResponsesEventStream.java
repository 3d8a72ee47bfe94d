package dev.llmgateway.keycloak.vendor.openai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.SseParser;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * Turns the OpenAI chat.completion.chunk stream a vendor's chat translator emits into the Responses API's streaming
 * events, as OpenAI sends them ({@code event:} line, {@code sequence_number} from 0): response.created and
 * response.in_progress; for text an output_item.added, content_part.added, output_text.delta events, then
 * output_text.done, content_part.done and output_item.done; for each tool call an output_item.added,
 * function_call_arguments.delta events, function_call_arguments.done and output_item.done; last response.completed
 * (response.incomplete when the output limit or a content filter cut the answer) with the usage. No {@code [DONE]}.
 * The usage and text counts are the inner translator's: the ledger sees what the vendor reported.
 */
final class ResponsesEventStream implements StreamTranslator {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final StreamTranslator chat;
    private final ResponsesRequest request;
    private final SseParser chunks = new SseParser();
    private final String id = ResponsesObjects.newId("resp_");
    private final long createdAt = System.currentTimeMillis() / 1000;
    /** The output items in order: open ones are completed at the end. */
    private final List<Item> items = new ArrayList<>();
    /** Tool calls by their index in the chunks. */
    private final Map<Integer, Call> calls = new TreeMap<>();

    private String model;
    private String serviceTier;
    private int sequence;
    private boolean started;
    private boolean ended;
    private Text text;
    private String finishReason;

    ResponsesEventStream(StreamTranslator chat, ResponsesRequest request) {
        this.chat = chat;
        this.request = request;
        this.model = request.chat().model();
    }

    @Override
    public List<byte[]> translate(ByteBuffer vendorBytes) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] piece : chat.translate(vendorBytes)) {
            for (String data : chunks.feed(ByteBuffer.wrap(piece))) {
                onChunk(data, out);
            }
        }
        return out;
    }

    private void onChunk(String data, List<byte[]> out) {
        if (ended || data.equals("[DONE]")) {
            return;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (IOException e) {
            return;
        }
        if (chunk == null || !chunk.isObject()) {
            return;
        }
        if (chunk.path("error").isObject() && !chunk.has("choices")) {
            // The vendor's error in the middle of a stream: OpenAI's error event, and nothing after it.
            JsonNode error = chunk.get("error");
            ObjectNode e = event("error");
            e.set("code", error.path("code").isNull() ? JSON.nullNode() : error.path("code"));
            e.put("message", error.path("message").asText("The provider ended the stream with an error"));
            e.set("param", error.path("param").isMissingNode() ? JSON.nullNode() : error.path("param"));
            start(out);
            emit(e, out);
            ended = true;
            return;
        }
        if (chunk.path("model").isTextual() && !chunk.path("model").asText().isEmpty()) {
            model = chunk.path("model").asText();
        }
        if (chunk.path("service_tier").isTextual()) {
            serviceTier = chunk.path("service_tier").asText();
        }
        start(out);
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        String content =
                delta.path("content").isTextual() ? delta.path("content").asText() : "";
        if (!content.isEmpty()) {
            text(out).append(Part.TEXT, content, out);
        }
        String refusal =
                delta.path("refusal").isTextual() ? delta.path("refusal").asText() : "";
        if (!refusal.isEmpty()) {
            text(out).append(Part.REFUSAL, refusal, out);
        }
        for (JsonNode tc : delta.path("tool_calls")) {
            int index = tc.path("index").asInt(0);
            Call call = calls.get(index);
            if (call == null) {
                closeText(out);
                call = new Call(
                        items.size(),
                        tc.path("id").asText(ResponsesObjects.newId("call_")),
                        tc.path("function").path("name").asText(""));
                calls.put(index, call);
                items.add(call);
                ObjectNode added = event("response.output_item.added");
                added.put("output_index", call.index);
                added.set("item", call.item("in_progress"));
                emit(added, out);
            }
            String arguments = tc.path("function").path("arguments").asText("");
            if (!arguments.isEmpty()) {
                call.arguments.append(arguments);
                ObjectNode d = event("response.function_call_arguments.delta");
                d.put("item_id", call.id);
                d.put("output_index", call.index);
                d.put("delta", arguments);
                emit(d, out);
            }
        }
        if (choice.path("finish_reason").isTextual()) {
            finishReason = choice.path("finish_reason").asText();
        }
        if (finishReason != null && chat.usageFinal()) {
            complete(out);
        }
    }

    /** response.created and response.in_progress, once. */
    private void start(List<byte[]> out) {
        if (started) {
            return;
        }
        started = true;
        for (String type : new String[] {"response.created", "response.in_progress"}) {
            ObjectNode e = event(type);
            e.set("response", ResponsesObjects.response(id, createdAt, model, "in_progress", request.body()));
            emit(e, out);
        }
    }

    private Text text(List<byte[]> out) {
        if (text == null) {
            text = new Text(items.size());
            items.add(text);
            ObjectNode added = event("response.output_item.added");
            added.put("output_index", text.index);
            added.set("item", ResponsesObjects.message(text.id, "in_progress", null, null));
            emit(added, out);
        }
        return text;
    }

    private void closeText(List<byte[]> out) {
        if (text != null) {
            text.close(out);
            text = null;
        }
    }

    /** Ends every open item, then the response: completed, or incomplete with why. */
    private void complete(List<byte[]> out) {
        if (ended) {
            return;
        }
        start(out);
        closeText(out);
        for (Call call : calls.values()) {
            call.close(out);
        }
        ended = true;
        ObjectNode details = ResponsesObjects.incompleteDetails(finishReason);
        ObjectNode response = ResponsesObjects.response(
                id, createdAt, model, details == null ? "completed" : "incomplete", request.body());
        if (details != null) {
            response.set("incomplete_details", details);
        }
        if (serviceTier != null) {
            response.put("service_tier", serviceTier);
        }
        ArrayNode output = (ArrayNode) response.get("output");
        items.forEach(i -> output.add(i.item("completed")));
        response.set("usage", ResponsesObjects.usage(chat.usage()));
        ObjectNode e = event(details == null ? "response.completed" : "response.incomplete");
        e.set("response", response);
        emit(e, out);
    }

    private ObjectNode event(String type) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", type);
        e.put("sequence_number", sequence++);
        return e;
    }

    private static void emit(ObjectNode event, List<byte[]> out) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(("event: " + event.get("type").asText() + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
            JSON.writeValue(b, event);
            b.write("\n\n".getBytes(StandardCharsets.US_ASCII));
            out.add(b.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stream ended: whatever is still open is completed, with the usage the vendor reported. */
    @Override
    public byte[] finish() {
        List<byte[]> out = new ArrayList<>();
        complete(out);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        out.forEach(b::writeBytes);
        return b.toByteArray();
    }

    @Override
    public Usage usage() {
        return chat.usage();
    }

    @Override
    public boolean usageFinal() {
        return chat.usageFinal();
    }

    @Override
    public long textChars() {
        return chat.textChars();
    }

    private interface Item {
        /** The item as output_item.done and the final response show it. */
        ObjectNode item(String status);
    }

    private enum Part {
        TEXT,
        REFUSAL
    }

    /** The assistant's message: its text and refusal parts, each streamed as deltas. */
    private final class Text implements Item {
        final int index;
        final String id = ResponsesObjects.newId("msg_");
        final List<Part> kinds = new ArrayList<>();
        final List<StringBuilder> parts = new ArrayList<>();

        Text(int index) {
            this.index = index;
        }

        void append(Part kind, String delta, List<byte[]> out) {
            if (kinds.isEmpty() || kinds.get(kinds.size() - 1) != kind) {
                closePart(out);
                kinds.add(kind);
                parts.add(new StringBuilder());
                ObjectNode added = event("response.content_part.added");
                partEvent(added);
                added.set("part", part(kinds.size() - 1));
                emit(added, out);
            }
            parts.get(parts.size() - 1).append(delta);
            ObjectNode d = event(kind == Part.TEXT ? "response.output_text.delta" : "response.refusal.delta");
            partEvent(d);
            d.put("delta", delta);
            if (kind == Part.TEXT) {
                d.putArray("logprobs");
            }
            emit(d, out);
        }

        private void partEvent(ObjectNode e) {
            e.put("item_id", id);
            e.put("output_index", index);
            e.put("content_index", parts.size() - 1);
        }

        private ObjectNode part(int i) {
            return kinds.get(i) == Part.TEXT
                    ? ResponsesObjects.textPart(parts.get(i).toString())
                    : ResponsesObjects.refusalPart(parts.get(i).toString());
        }

        private void closePart(List<byte[]> out) {
            if (parts.isEmpty()) {
                return;
            }
            int i = parts.size() - 1;
            String all = parts.get(i).toString();
            if (kinds.get(i) == Part.TEXT) {
                ObjectNode done = event("response.output_text.done");
                partEvent(done);
                done.put("text", all);
                done.putArray("logprobs");
                emit(done, out);
            } else {
                ObjectNode done = event("response.refusal.done");
                partEvent(done);
                done.put("refusal", all);
                emit(done, out);
            }
            ObjectNode partDone = event("response.content_part.done");
            partEvent(partDone);
            partDone.set("part", part(i));
            emit(partDone, out);
        }

        void close(List<byte[]> out) {
            closePart(out);
            ObjectNode done = event("response.output_item.done");
            done.put("output_index", index);
            done.set("item", item("completed"));
            emit(done, out);
        }

        @Override
        public ObjectNode item(String status) {
            ObjectNode m = ResponsesObjects.message(id, status, null, null);
            ArrayNode content = (ArrayNode) m.get("content");
            for (int i = 0; i < parts.size(); i++) {
                content.add(part(i));
            }
            return m;
        }
    }

    /** One tool call: a function_call item whose arguments stream as deltas. */
    private final class Call implements Item {
        final int index;
        final String id = ResponsesObjects.newId("fc_");
        final String callId;
        final String name;
        final StringBuilder arguments = new StringBuilder();
        boolean closed;

        Call(int index, String callId, String name) {
            this.index = index;
            this.callId = callId;
            this.name = name;
        }

        void close(List<byte[]> out) {
            if (closed) {
                return;
            }
            closed = true;
            ObjectNode done = event("response.function_call_arguments.done");
            done.put("item_id", id);
            done.put("output_index", index);
            done.put("name", name);
            done.put("arguments", arguments.toString());
            emit(done, out);
            ObjectNode itemDone = event("response.output_item.done");
            itemDone.put("output_index", index);
            itemDone.set("item", item("completed"));
            emit(itemDone, out);
        }

        @Override
        public ObjectNode item(String status) {
            return ResponsesObjects.functionCall(
                    id, status, callId, name, status.equals("completed") ? arguments.toString() : "");
        }
    }
}
