package dev.llmgateway.keycloak.gateway;

/** One candidate the gateway tried or skipped, as reported to the caller (never with secrets). */
public record Attempt(String provider, String model, String outcome, long latencyMs) {

    public boolean skipped() {
        return outcome.startsWith("skipped");
    }

    public String describe() {
        return provider + "/" + model + ": " + outcome;
    }
}
