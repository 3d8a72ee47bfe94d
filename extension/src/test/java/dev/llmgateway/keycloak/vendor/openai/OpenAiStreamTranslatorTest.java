package dev.llmgateway.keycloak.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.llmgateway.keycloak.core.Usage;
import org.junit.jupiter.api.Test;

class OpenAiStreamTranslatorTest {

    private static final String STREAM = ""
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":8},\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n"
            + "data: [DONE]\n\n";

    private static String relay(OpenAiStreamTranslator t) {
        StringBuilder out = new StringBuilder();
        t.translate(ByteBuffer.wrap(STREAM.getBytes(StandardCharsets.UTF_8)))
                .forEach(b -> out.append(new String(b, StandardCharsets.UTF_8)));
        out.append(new String(t.finish(), StandardCharsets.US_ASCII));
        return out.toString();
    }

    @Test
    void usageIsNotedAndHiddenWhenTheCallerDidNotAsk() {
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(false);
        String out = relay(t);
        assertFalse(out.contains("\"usage\":{"), out);
        assertFalse(out.contains("\"usage\""), "no usage member at all, as OpenAI streams when not asked: " + out);
        assertTrue(out.endsWith("data: [DONE]\n\n"));
        assertEquals(1, out.split("\\[DONE\\]", -1).length - 1, "exactly one [DONE]");
        assertEquals(new Usage(12, 3, 8, 1, 0), t.usage());
    }

    @Test
    void usageIsRelayedWhenAsked() {
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(true);
        String out = relay(t);
        assertTrue(out.contains("\"usage\":{\"prompt_tokens\":12"));
        assertTrue(out.contains("\"usage\":null"), "the chunks as the vendor sent them");
        assertEquals(12, t.usage().promptTokens());
    }

    @Test
    void groqsUsageInsideXGroqIsRead() {
        String groq = ""
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"queue_time\":0.01,\"prompt_tokens\":40,\"prompt_time\":0.002,"
                + "\"completion_tokens\":12,\"completion_time\":0.01,\"total_tokens\":52,\"total_time\":0.012}}}\n\n"
                + "data: [DONE]\n\n";
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(false);
        assertFalse(t.usageFinal());
        t.translate(ByteBuffer.wrap(groq.getBytes(StandardCharsets.UTF_8)));
        assertEquals(new Usage(40, 12, 0, 0, 0), t.usage());
        assertTrue(t.usageFinal());
    }

    @Test
    void openRoutersCacheWritesAreRead() {
        Usage u = Usage.fromOpenAi(dev.llmgateway.keycloak.core.Json.MAPPER.valueToTree(java.util.Map.of(
                "prompt_tokens",
                2009,
                "completion_tokens",
                27,
                "prompt_tokens_details",
                java.util.Map.of("cached_tokens", 1800, "cache_write_tokens", 188))));
        assertEquals(new Usage(2009, 27, 1800, 0, 188), u);
    }
}
