package dev.llmgateway.keycloak.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import org.junit.jupiter.api.Test;
import org.keycloak.services.ErrorResponseException;

class ResponsesRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ResponsesRequest read(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ResponsesRequest.read(new ByteArrayInputStream(bytes), 1 << 20);
    }

    /** The 400's error object. */
    static JsonNode refusal(String json) {
        ErrorResponseException e = assertThrows(ErrorResponseException.class, () -> read(json));
        assertEquals(400, e.getResponse().getStatus());
        try {
            return JSON.readTree((String) e.getResponse().getEntity()).get("error");
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

    @Test
    void aStringInputIsOneUserTurnAfterTheInstructions() throws Exception {
        ResponsesRequest r = read("{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Hi\","
                + "\"max_output_tokens\":50,\"temperature\":0.2,\"user\":\"u1\",\"metadata\":{\"a\":\"b\"}}");
        ChatRequest chat = r.chat();
        assertEquals("m", chat.model());
        assertFalse(chat.stream());
        assertTrue(chat.includeUsage(), "usage is always asked for");
        assertEquals(
                JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                        + "{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":50,\"temperature\":0.2,"
                        + "\"user\":\"u1\"}"),
                JSON.readTree(chat.body().toString()));
        assertNull(r.untranslatable());
        assertEquals(11, chat.promptChars());
    }

    @Test
    void itemsBecomeChatTurnsWithToolCallsAndResults() throws Exception {
        // A function tool round trip as the OpenAI SDKs send it back: the model's output items, then the output.
        ResponsesRequest r = read("""
                {"model":"m","stream":true,
                 "input":[
                   {"role":"developer","content":"Use tools."},
                   {"type":"message","role":"user","content":[
                      {"type":"input_text","text":"Weather in Paris?"},
                      {"type":"input_image","image_url":"data:image/png;base64,iVBOR","detail":"low"}]},
                   {"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[
                      {"type":"output_text","text":"Let me check.","annotations":[]}]},
                   {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather",
                    "arguments":"{\\"city\\":\\"Paris\\"}","status":"completed"},
                   {"type":"reasoning","id":"rs_1","summary":[]},
                   {"type":"function_call_output","call_id":"call_1","output":"21 C"}],
                 "tools":[{"type":"function","name":"get_weather","description":"Weather",
                           "parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}],
                 "tool_choice":{"type":"function","name":"get_weather"},
                 "parallel_tool_calls":false,
                 "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}}}
                """);
        assertTrue(r.chat().stream());
        assertEquals(JSON.readTree("""
                {"model":"m","messages":[
                   {"role":"system","content":"Use tools."},
                   {"role":"user","content":[{"type":"text","text":"Weather in Paris?"},
                      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR","detail":"low"}}]},
                   {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_1","type":"function",
                      "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                   {"role":"tool","tool_call_id":"call_1","content":"21 C"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                    "parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "parallel_tool_calls":false,
                 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},
                    "strict":true}},
                 "stream":true}
                """), r.chat().body());
        assertNull(r.untranslatable());
    }

    @Test
    void builtInToolsAreForOpenAiOnly() {
        ResponsesRequest r =
                read("{\"model\":\"m\",\"input\":\"news?\",\"tools\":[{\"type\":\"web_search_preview\"}]}");
        assertNotNull(r.untranslatable());
        assertEquals("tools[0].type", r.untranslatable().param());
        assertTrue(
                r.untranslatable().getMessage().contains("web_search_preview"),
                r.untranslatable().getMessage());
        assertTrue(r.untranslatable().getMessage().contains("only by OpenAI providers"));
        assertFalse(r.chat().body().has("tools"));
    }

    @Test
    void unknownFieldsAndFilesAreForOpenAiOnly() {
        assertEquals(
                "top_logprobs",
                read("{\"model\":\"m\",\"input\":\"x\",\"top_logprobs\":2}")
                        .untranslatable()
                        .param());
        assertEquals(
                "input[0].content[0].type",
                read("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
                                + "\"file_id\":\"file-1\"}]}]}")
                        .untranslatable()
                        .param());
        // Options that change nothing without state, or hints, are not in the way.
        assertNull(read("{\"model\":\"m\",\"input\":\"x\",\"store\":false,\"include\":[],\"truncation\":\"auto\","
                        + "\"background\":false,\"prompt_cache_key\":\"k\",\"safety_identifier\":\"s\"}")
                .untranslatable());
    }

    @Test
    void whatNeedsStateIsRefusedForEveryVendor() {
        JsonNode e = refusal("{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}");
        assertEquals("previous_response_id", e.get("param").asText());
        assertEquals("unsupported_parameter", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("stores no responses"), e.toString());
        // OpenAI's default, sent by OpenAI's own examples: served, stored nowhere.
        assertNull(read("{\"model\":\"m\",\"input\":\"x\",\"store\":true}").untranslatable());
        assertEquals(
                "store",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"store\":\"yes\"}")
                        .get("param")
                        .asText());
        assertEquals(
                "background",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"background\":true}")
                        .get("param")
                        .asText());
        assertEquals(
                "conversation",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"conversation\":\"conv_1\"}")
                        .get("param")
                        .asText());
        assertEquals(
                "input[0]",
                refusal("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}")
                        .get("param")
                        .asText());
    }

    @Test
    void badInputIsNamed() {
        assertEquals("model", refusal("{\"input\":\"x\"}").get("param").asText());
        assertEquals("input", refusal("{\"model\":\"m\"}").get("param").asText());
        assertEquals(
                "input", refusal("{\"model\":\"m\",\"input\":[]}").get("param").asText());
        assertEquals(
                "input[0].role",
                refusal("{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}")
                        .get("param")
                        .asText());
        assertEquals(
                "input[0].call_id",
                refusal("{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}")
                        .get("param")
                        .asText());
        assertEquals(
                "instructions",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"instructions\":5}")
                        .get("param")
                        .asText());
        assertEquals(
                "max_output_tokens",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"max_output_tokens\":0}")
                        .get("param")
                        .asText());
        assertEquals(
                "tools[0].name",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"function\"}]}")
                        .get("param")
                        .asText());
        assertEquals(
                "tool_choice",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"tool_choice\":\"always\"}")
                        .get("param")
                        .asText());
        assertEquals(
                "text.format.schema",
                refusal(
                                "{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"n\"}}}")
                        .get("param")
                        .asText());
        assertEquals(
                "stream",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"stream\":\"yes\"}")
                        .get("param")
                        .asText());
        assertEquals(
                "metadata",
                refusal("{\"model\":\"m\",\"input\":\"x\",\"metadata\":{\"a\":1}}")
                        .get("param")
                        .asText());
    }
}
