package dev.llmgateway.keycloak.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void modelIdsAndFieldNamesAreQuotedKeysAreNot() {
        for (String id : new String[] {
            "gpt-4o-2024-08-06",
            "claude-3-5-sonnet-20241022",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "openai/gpt-4o-mini",
            "mistral-large-2411",
            "llama3.1:8b",
            "o3"
        }) {
            assertEquals("'" + id + "'", SafeText.quote(id), id);
        }
        for (String key : new String[] {
            "sk-proj-AbCdEf0123456789AbCdEf0123",
            "gsk_abc",
            "hf_abcdefghij",
            "AIzaSyD-abcdefgh",
            "xai-1234",
            "Bearer abc",
            "abcdef0123456789abcdef0123",
            "sk-echo4****3456",
            "r8_x"
        }) {
            assertTrue(SafeText.looksSecret(key), key);
            assertEquals("(a value of " + key.length() + " characters, not shown)", SafeText.quote(key));
        }
        assertEquals("temprature", SafeText.fieldName("temprature"));
        assertEquals("retry.max_attempts", SafeText.fieldName("retry.max_attempts"));
        assertNull(SafeText.fieldName("sk-live-0123456789abcdefghijkl"));
        assertNull(SafeText.fieldName("two words"));
        assertEquals("field (a name of 7 characters, not shown)", SafeText.describeField("hf_abcd"));
        assertFalse(SafeText.quotable("a".repeat(101)));
        assertFalse(SafeText.quotable("line\nbreak"));
    }

    @Test
    void forbiddenCharactersAreFoundByPosition() {
        assertEquals(-1, SafeText.firstForbidden("Provider ünï 😀"));
        assertEquals(4, SafeText.firstForbidden("name\r\nX-Injected: 1"));
        assertEquals(1, SafeText.firstForbidden("a\u0000b"));
        assertEquals(0, SafeText.firstForbidden("\u202Egnp.exe"));
        assertEquals(2, SafeText.firstForbidden("ab\uD800"));
        assertEquals(0, SafeText.firstForbidden("\uDC00ab"));
        assertEquals(1, SafeText.firstForbidden("a\u0085"));
        assertEquals(-1, SafeText.firstForbiddenInText("two\nlines\tand tabs"));
        assertEquals(3, SafeText.firstForbiddenInText("two\u0000"));
        assertEquals(1, SafeText.firstForbiddenInText("a\r\nX-Injected: 1"));
        assertEquals("U+000A", SafeText.codePoint("a\nb", 1));
    }

    @Test
    void partialKeyEchoesInVendorTextAreRedacted() {
        String key = "sk-echo4-abcdefghijklmnop3456";
        assertEquals(
                "Incorrect API key provided: [redacted]. You can find your API key at [redacted]",
                SafeText.redact(
                        "Incorrect API key provided: sk-echo4****3456. You can find your API key at " + "sk-...3456",
                        key));
        assertEquals("key [redacted] refused", SafeText.redact("key " + key + " refused", key));
        assertEquals("key ending [redacted] refused", SafeText.redact("key ending ...3456 refused", key));
        assertEquals("key '[redacted]' refused", SafeText.redact("key 'xxxx****3456' refused", key));
        assertEquals(
                "invalid x-api-key: [redacted]",
                SafeText.redact("invalid x-api-key: abcdefghij0123456789klmnop", null));
        assertEquals(
                "This model's maximum context length is 128000 tokens.",
                SafeText.redact("This model's maximum context length is 128000 tokens.", key));
        assertEquals("x".repeat(500) + "…", SafeText.redact("x".repeat(600), key));
    }
}
