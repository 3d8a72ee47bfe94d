package dev.llmgateway.keycloak.crypto;

/** A secret could not be sealed or opened. Messages never contain secret material. */
public class SecretCipherException extends RuntimeException {
    public SecretCipherException(String message) {
        super(message);
    }
}
