package dev.llmgateway.keycloak.core;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The extension's one JSON mapper (thread-safe once configured; never reconfigured after start). */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
