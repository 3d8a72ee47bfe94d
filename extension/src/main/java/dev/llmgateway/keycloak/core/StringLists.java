package dev.llmgateway.keycloak.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A list of strings kept in one text column as a JSON array (model ids of an alias or of a power level). */
public final class StringLists {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private StringLists() {}

    public static String write(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> read(String json) {
        try {
            return JSON.readValue(json, LIST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
