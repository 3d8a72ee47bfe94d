package dev.llmgateway.keycloak.config;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmgateway.keycloak.catalog.ModelCatalog;
import dev.llmgateway.keycloak.core.KeyTestLimiter;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.crypto.SecretCipherException;
import dev.llmgateway.keycloak.vendor.ConnectionTester;
import dev.llmgateway.keycloak.vendor.OutboundPolicy;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.common.util.Environment;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.vault.VaultStringSecret;

/**
 * Reads the extension's options. The key-encryption key comes, in this order, from the {@code kek} option, from the
 * vault secret named by {@code kek-vault-key}, or (only in {@code start-dev}) from a generated development key kept in
 * Keycloak's data folder. It is never read from the database. Previous KEKs ({@code kek-previous}, being rotated away
 * from) and next KEKs ({@code kek-next}, about to become current on other nodes) are accepted for opening whatever the
 * current one's source; with {@code kek-vault-key}, also those named by {@code kek-previous-vault-key} and
 * {@code kek-next-vault-key}.
 */
public class DefaultLlmGatewayConfigFactory implements LlmGatewayConfigFactory {

    public static final String PROVIDER_ID = "default";
    static final String KEK = "kek";
    static final String KEK_VAULT_KEY = "kek-vault-key";
    static final String KEK_PREVIOUS = "kek-previous";
    static final String KEK_NEXT = "kek-next";
    static final String KEK_PREVIOUS_VAULT_KEY = "kek-previous-vault-key";
    static final String KEK_NEXT_VAULT_KEY = "kek-next-vault-key";
    static final String KEK_RESEAL_INTERVAL_MS = "kek-reseal-interval-ms";
    static final String VENDOR_TEST_TIMEOUT_MS = "vendor-test-timeout-ms";
    static final String MAX_BODY_BYTES = "max-body-bytes";
    static final String UPSTREAM_TIMEOUT_MS = "upstream-timeout-ms";
    static final String GATEWAY_MAX_BODY_BYTES = "gateway-max-body-bytes";
    static final String USAGE_FLUSH_INTERVAL_MS = "usage-flush-interval-ms";
    static final String USAGE_QUEUE_CAPACITY = "usage-queue-capacity";
    static final String USAGE_BATCH_SIZE = "usage-batch-size";
    static final String USAGE_BATCH_WAIT_MS = "usage-batch-wait-ms";
    static final String BUDGET_REFRESH_MS = "budget-refresh-ms";
    static final String BYOK_REFRESH_MS = "byok-refresh-ms";
    static final String USAGE_RETENTION_DAYS = "usage-retention-days";
    static final String USAGE_MAINTENANCE_INTERVAL_MS = "usage-maintenance-interval-ms";
    static final String PROVIDER_HEALTH_INTERVAL_MS = "provider-health-interval-ms";
    static final String KEY_TESTS_PER_MINUTE = "key-tests-per-minute";
    static final String OUTBOUND_ALLOW = "outbound-allow";
    static final String OUTBOUND_DENY = "outbound-deny";
    static final String REFUSAL_EVENT_INTERVAL_MS = "refusal-event-interval-ms";
    static final String TOKEN_CACHE_MS = "token-cache-ms";
    static final String TOKEN_CACHE_SIZE = "token-cache-size";

    private static final Logger LOG = Logger.getLogger(DefaultLlmGatewayConfigFactory.class);

    private SecretCipher configuredCipher;
    private String vaultKey;
    private List<byte[]> previousKeks;
    private List<byte[]> nextKeks;
    private List<String> previousVaultKeys;
    private List<String> nextVaultKeys;
    private long kekResealIntervalMillis;
    private Duration vendorTestTimeout;
    private int maxBodyBytes;
    private Duration upstreamTimeout;
    private int gatewayMaxBodyBytes;
    private long usageFlushIntervalMillis;
    private int usageQueueCapacity;
    private int usageBatchSize;
    private long usageBatchWaitMillis;
    private Duration refusalEventInterval;
    private long tokenCacheMillis;
    private int tokenCacheSize;
    private long budgetRefreshMillis;
    private long byokRefreshMillis;
    private int usageRetentionDays;
    private long usageMaintenanceIntervalMillis;
    private long providerHealthIntervalMillis;
    private KeyTestLimiter keyTestLimiter;
    private ConnectionTester connectionTester;
    private OutboundPolicy outboundPolicy;
    private ModelCatalog catalog;
    private final Map<String, SecretCipher> vaultCiphers = new ConcurrentHashMap<>();
    private volatile SecretCipher devCipher;

    @Override
    public void init(Config.Scope config) {
        previousKeks = decodeKeks(config.get(KEK_PREVIOUS), KEK_PREVIOUS);
        nextKeks = decodeKeks(config.get(KEK_NEXT), KEK_NEXT);
        previousVaultKeys = names(config.get(KEK_PREVIOUS_VAULT_KEY));
        nextVaultKeys = names(config.get(KEK_NEXT_VAULT_KEY));
        String kek = config.get(KEK);
        if (kek != null && !kek.isBlank()) {
            configuredCipher = cipher(decodeKek(kek, "option " + KEK), previousKeks, nextKeks);
        } else {
            // Checked now, so that a key given both as previous and next is refused at startup whatever the source.
            cipher(SecretCipher.generateKey(), previousKeks, nextKeks);
        }
        vaultKey = config.get(KEK_VAULT_KEY);
        if (vaultKey != null && vaultKey.isBlank()) {
            vaultKey = null;
        }
        kekResealIntervalMillis = config.getLong(KEK_RESEAL_INTERVAL_MS, 300_000L);
        if (kekResealIntervalMillis < 1_000) {
            throw new IllegalArgumentException("option " + KEK_RESEAL_INTERVAL_MS + " must be 1000 or more");
        }
        vendorTestTimeout = Duration.ofMillis(config.getLong(VENDOR_TEST_TIMEOUT_MS, 10_000L));
        maxBodyBytes = config.getInt(MAX_BODY_BYTES, 65_536);
        upstreamTimeout = Duration.ofMillis(config.getLong(UPSTREAM_TIMEOUT_MS, 120_000L));
        gatewayMaxBodyBytes = config.getInt(GATEWAY_MAX_BODY_BYTES, 10_485_760);
        usageFlushIntervalMillis = config.getLong(USAGE_FLUSH_INTERVAL_MS, 1_000L);
        usageQueueCapacity = config.getInt(USAGE_QUEUE_CAPACITY, 100_000);
        usageBatchSize = config.getInt(USAGE_BATCH_SIZE, 1_000);
        if (usageBatchSize < 1) {
            throw new IllegalArgumentException("option " + USAGE_BATCH_SIZE + " must be 1 or more");
        }
        usageBatchWaitMillis = config.getLong(USAGE_BATCH_WAIT_MS, 100L);
        if (usageBatchWaitMillis < 0) {
            throw new IllegalArgumentException("option " + USAGE_BATCH_WAIT_MS + " must be 0 or more");
        }
        budgetRefreshMillis = config.getLong(BUDGET_REFRESH_MS, 10_000L);
        byokRefreshMillis = config.getLong(BYOK_REFRESH_MS, 10_000L);
        usageRetentionDays = config.getInt(USAGE_RETENTION_DAYS, 90);
        if (usageRetentionDays < 0) {
            throw new IllegalArgumentException("option " + USAGE_RETENTION_DAYS + " must be 0 (keep forever) or more");
        }
        usageMaintenanceIntervalMillis = config.getLong(USAGE_MAINTENANCE_INTERVAL_MS, 3_600_000L);
        if (usageMaintenanceIntervalMillis < 1_000) {
            throw new IllegalArgumentException("option " + USAGE_MAINTENANCE_INTERVAL_MS + " must be 1000 or more");
        }
        int keyTests = config.getInt(KEY_TESTS_PER_MINUTE, 10);
        if (keyTests < 1) {
            throw new IllegalArgumentException("option " + KEY_TESTS_PER_MINUTE + " must be 1 or more");
        }
        keyTestLimiter = new KeyTestLimiter(keyTests);
        providerHealthIntervalMillis = config.getLong(PROVIDER_HEALTH_INTERVAL_MS, 60_000L);
        if (providerHealthIntervalMillis < 1_000) {
            throw new IllegalArgumentException("option " + PROVIDER_HEALTH_INTERVAL_MS + " must be 1000 or more");
        }
        long refusalEventMillis = config.getLong(REFUSAL_EVENT_INTERVAL_MS, 60_000L);
        if (refusalEventMillis < 1_000) {
            throw new IllegalArgumentException("option " + REFUSAL_EVENT_INTERVAL_MS + " must be 1000 or more");
        }
        refusalEventInterval = Duration.ofMillis(refusalEventMillis);
        tokenCacheMillis = config.getLong(TOKEN_CACHE_MS, 10_000L);
        if (tokenCacheMillis < 0 || tokenCacheMillis > 300_000) {
            throw new IllegalArgumentException("option " + TOKEN_CACHE_MS + " must be between 0 (off) and 300000");
        }
        tokenCacheSize = config.getInt(TOKEN_CACHE_SIZE, 10_000);
        if (tokenCacheSize < 1) {
            throw new IllegalArgumentException("option " + TOKEN_CACHE_SIZE + " must be 1 or more");
        }
        // Throws, naming the option and the entry, when an entry cannot be read: the server does not start.
        outboundPolicy = OutboundPolicy.of(config.get(OUTBOUND_ALLOW), config.get(OUTBOUND_DENY));
        catalog = ModelCatalog.loadBuiltIn();
        connectionTester = new ConnectionTester(
                HttpClient.newBuilder()
                        .connectTimeout(vendorTestTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build(),
                outboundPolicy);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        LOG.infof("LLM gateway: outbound policy %s", outboundPolicy.describe());
        if (configuredCipher != null) {
            LOG.infof(
                    "LLM gateway: secrets encrypted with the configured key-encryption key (id %s)%s",
                    configuredCipher.kekId(), describeOthers(configuredCipher));
        } else if (!previousKeks.isEmpty() || !nextKeks.isEmpty()) {
            SecretCipher ids = cipher(SecretCipher.generateKey(), previousKeks, nextKeks);
            LOG.infof("LLM gateway: key-encryption keys from options, besides the current one%s", describeOthers(ids));
        }
        if ((configuredCipher != null || vaultKey == null)
                && (!previousVaultKeys.isEmpty() || !nextVaultKeys.isEmpty())) {
            LOG.warnf(
                    "LLM gateway: options %s and %s apply only when the current key-encryption key comes from the vault "
                            + "(%s without %s); ignored",
                    KEK_PREVIOUS_VAULT_KEY, KEK_NEXT_VAULT_KEY, KEK_VAULT_KEY, KEK);
        }
        if (configuredCipher == null && vaultKey == null && !Environment.isDevMode()) {
            LOG.errorf(
                    "LLM gateway: no key-encryption key configured. Set --spi-%s--%s--%s (base64 of 32 random bytes) "
                            + "or --spi-%s--%s--%s (a vault secret holding it); provider keys cannot be stored until then.",
                    LlmGatewaySpi.NAME, PROVIDER_ID, KEK, LlmGatewaySpi.NAME, PROVIDER_ID, KEK_VAULT_KEY);
        }
    }

    /** ", previous … ; next …" for the startup log: KEK ids only. */
    private static String describeOthers(SecretCipher cipher) {
        StringBuilder out = new StringBuilder();
        if (!cipher.previousIds().isEmpty()) {
            out.append("; previous key-encryption keys accepted and re-sealed under the current one: ids ")
                    .append(String.join(", ", cipher.previousIds()));
        }
        if (!cipher.nextIds().isEmpty()) {
            out.append("; next key-encryption keys accepted: ids ").append(String.join(", ", cipher.nextIds()));
        }
        return out.toString();
    }

    @Override
    public long kekResealIntervalMillis() {
        return kekResealIntervalMillis;
    }

    @Override
    public boolean previousKeksConfigured() {
        return !previousKeks.isEmpty()
                || (configuredCipher == null && vaultKey != null && !previousVaultKeys.isEmpty());
    }

    @Override
    public long usageFlushIntervalMillis() {
        return usageFlushIntervalMillis;
    }

    @Override
    public int usageQueueCapacity() {
        return usageQueueCapacity;
    }

    @Override
    public int usageBatchSize() {
        return usageBatchSize;
    }

    @Override
    public long usageBatchWaitMillis() {
        return Math.min(usageBatchWaitMillis, usageFlushIntervalMillis);
    }

    @Override
    public long budgetRefreshMillis() {
        return budgetRefreshMillis;
    }

    @Override
    public long byokRefreshMillis() {
        return byokRefreshMillis;
    }

    @Override
    public int usageRetentionDays() {
        return usageRetentionDays;
    }

    @Override
    public long usageMaintenanceIntervalMillis() {
        return usageMaintenanceIntervalMillis;
    }

    @Override
    public long providerHealthIntervalMillis() {
        return providerHealthIntervalMillis;
    }

    @Override
    public long tokenCacheMillis() {
        return tokenCacheMillis;
    }

    @Override
    public int tokenCacheSize() {
        return tokenCacheSize;
    }

    @Override
    public LlmGatewayConfig create(KeycloakSession session) {
        return new LlmGatewayConfig() {
            @Override
            public SecretCipher cipher(RealmModel realm) {
                return cipherFor(session, realm);
            }

            @Override
            public Duration vendorTestTimeout() {
                return vendorTestTimeout;
            }

            @Override
            public Duration upstreamTimeout() {
                return upstreamTimeout;
            }

            @Override
            public int gatewayMaxBodyBytes() {
                return gatewayMaxBodyBytes;
            }

            @Override
            public ConnectionTester connectionTester() {
                return connectionTester;
            }

            @Override
            public OutboundPolicy outboundPolicy() {
                return outboundPolicy;
            }

            @Override
            public ModelCatalog catalog() {
                return catalog;
            }

            @Override
            public int maxBodyBytes() {
                return maxBodyBytes;
            }

            @Override
            public KeyTestLimiter keyTestLimiter() {
                return keyTestLimiter;
            }

            @Override
            public Duration refusalEventInterval() {
                return refusalEventInterval;
            }
        };
    }

    private SecretCipher cipherFor(KeycloakSession session, RealmModel realm) {
        if (configuredCipher != null) {
            return configuredCipher;
        }
        if (vaultKey != null) {
            return vaultCiphers.computeIfAbsent(realm.getId(), id -> vaultCipher(session, realm));
        }
        if (Environment.isDevMode()) {
            return devCipher();
        }
        String option = "--spi-" + LlmGatewaySpi.NAME + "--" + PROVIDER_ID + "--";
        throw new SecretCipherException(
                "no key-encryption key is configured (set " + option + KEK + " or " + option + KEK_VAULT_KEY + ")");
    }

    /**
     * The realm's cipher from the vault: the current KEK must be there; a previous or next one the vault does not hold
     * for this realm is skipped with a warning (a realm created after the rotation began never had it).
     */
    private SecretCipher vaultCipher(KeycloakSession session, RealmModel realm) {
        Optional<String> current = vaultSecret(session, vaultKey);
        if (current.isEmpty()) {
            throw new SecretCipherException("the vault has no secret '" + vaultKey + "' for realm " + realm.getName()
                    + " (option " + KEK_VAULT_KEY + ")");
        }
        List<byte[]> previous = new ArrayList<>(previousKeks);
        previous.addAll(vaultKeks(session, realm, previousVaultKeys, KEK_PREVIOUS_VAULT_KEY));
        List<byte[]> next = new ArrayList<>(nextKeks);
        next.addAll(vaultKeks(session, realm, nextVaultKeys, KEK_NEXT_VAULT_KEY));
        SecretCipher cipher = cipher(decodeKek(current.get(), "vault secret " + vaultKey), previous, next);
        LOG.infof(
                "LLM gateway: secrets of realm %s encrypted with the key-encryption key from the vault (id %s)%s",
                realm.getName(), cipher.kekId(), describeOthers(cipher));
        return cipher;
    }

    private static List<byte[]> vaultKeks(
            KeycloakSession session, RealmModel realm, List<String> names, String option) {
        List<byte[]> keys = new ArrayList<>();
        for (String name : names) {
            Optional<String> value = vaultSecret(session, name);
            if (value.isPresent()) {
                keys.add(decodeKek(value.get(), "vault secret " + name));
            } else {
                LOG.warnf(
                        "LLM gateway: the vault has no secret '%s' for realm %s (option %s); skipped",
                        name, realm.getName(), option);
            }
        }
        return keys;
    }

    private static Optional<String> vaultSecret(KeycloakSession session, String name) {
        try (VaultStringSecret secret = session.vault().getStringSecret("${vault." + name + "}")) {
            return secret.get().map(String::new);
        }
    }

    private static SecretCipher cipher(byte[] current, List<byte[]> previous, List<byte[]> next) {
        try {
            return new SecretCipher(current, previous, next);
        } catch (IllegalArgumentException e) {
            throw new SecretCipherException(e.getMessage());
        }
    }

    private SecretCipher devCipher() {
        SecretCipher cipher = devCipher;
        if (cipher == null) {
            synchronized (this) {
                if (devCipher == null) {
                    devCipher = cipher(loadOrCreateDevKey(), previousKeks, nextKeks);
                }
                cipher = devCipher;
            }
        }
        return cipher;
    }

    private static byte[] loadOrCreateDevKey() {
        String home = System.getProperty("kc.home.dir", ".");
        Path file =
                Path.of(home, "data", "llm-gateway", "dev-kek").toAbsolutePath().normalize();
        try {
            if (Files.isRegularFile(file)) {
                return decodeKek(Files.readString(file).trim(), "development key file " + file);
            }
            byte[] key = SecretCipher.generateKey();
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            LOG.warnf(
                    "LLM gateway: development mode without a configured key-encryption key; generated one in %s. "
                            + "Never use this in production: configure --spi-%s--%s--%s.",
                    file, LlmGatewaySpi.NAME, PROVIDER_ID, KEK);
            return key;
        } catch (IOException e) {
            throw new SecretCipherException(
                    "cannot read or write the development key file " + file + ": " + e.getMessage());
        }
    }

    /** The comma-separated KEKs of a list option; none when it is not set. */
    private static List<byte[]> decodeKeks(String value, String option) {
        List<byte[]> keys = new ArrayList<>();
        List<String> entries = names(value);
        for (int i = 0; i < entries.size(); i++) {
            keys.add(decodeKek(
                    entries.get(i), "option " + option + (entries.size() > 1 ? " (entry " + (i + 1) + ")" : "")));
        }
        return keys;
    }

    private static List<String> names(String value) {
        if (value == null) {
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String entry : value.split(",")) {
            if (!entry.isBlank()) {
                out.add(entry.trim());
            }
        }
        return List.copyOf(out);
    }

    private static byte[] decodeKek(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new SecretCipherException("the key-encryption key from " + source + " is not valid base64");
        }
        if (key.length != 32) {
            throw new SecretCipherException(
                    "the key-encryption key from " + source + " must be 32 bytes, found " + key.length);
        }
        return key;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property()
                .name(KEK)
                .type(ProviderConfigProperty.PASSWORD)
                .secret(true)
                .helpText(
                        "Key-encryption key for provider and BYOK keys: base64 of 32 random bytes (openssl rand -base64 32).")
                .add()
                .property()
                .name(KEK_VAULT_KEY)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Name of a vault secret that holds the key-encryption key (used when 'kek' is not set).")
                .add()
                .property()
                .name(KEK_PREVIOUS)
                .type(ProviderConfigProperty.PASSWORD)
                .secret(true)
                .helpText("Previous key-encryption keys (comma-separated, base64): still open the keys they sealed, "
                        + "which a background task re-seals under 'kek'. Drop them once the log says none remain.")
                .add()
                .property()
                .name(KEK_NEXT)
                .type(ProviderConfigProperty.PASSWORD)
                .secret(true)
                .helpText("Next key-encryption keys (comma-separated, base64): accepted for opening, never re-sealed "
                        + "away from. Give the new KEK here on every node before any node makes it 'kek'.")
                .add()
                .property()
                .name(KEK_PREVIOUS_VAULT_KEY)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Names of vault secrets (comma-separated) holding previous key-encryption keys; with "
                        + "'kek-vault-key' only.")
                .add()
                .property()
                .name(KEK_NEXT_VAULT_KEY)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Names of vault secrets (comma-separated) holding next key-encryption keys; with "
                        + "'kek-vault-key' only.")
                .add()
                .property()
                .name(KEK_RESEAL_INTERVAL_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How often, in milliseconds, one node of the cluster re-seals keys sealed with a previous "
                        + "key-encryption key under the current one (only on nodes given previous keys).")
                .defaultValue("300000")
                .add()
                .property()
                .name(KEY_TESTS_PER_MINUTE)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Key tests (each a call to a vendor) one admin or one user may run per minute, per node.")
                .defaultValue("10")
                .add()
                .property()
                .name(VENDOR_TEST_TIMEOUT_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Timeout in milliseconds of a provider connection test.")
                .defaultValue("10000")
                .add()
                .property()
                .name(UPSTREAM_TIMEOUT_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText(
                        "Deadline in milliseconds of one gateway attempt at a vendor (a timeout falls back to the next candidate).")
                .defaultValue("120000")
                .add()
                .property()
                .name(GATEWAY_MAX_BODY_BYTES)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Largest chat request body, in bytes, the gateway accepts.")
                .defaultValue("10485760")
                .add()
                .property()
                .name(USAGE_FLUSH_INTERVAL_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How often queued usage events are written to the database, in milliseconds.")
                .defaultValue("1000")
                .add()
                .property()
                .name(USAGE_QUEUE_CAPACITY)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Usage events that may wait in memory; beyond it new events are dropped and logged.")
                .defaultValue("100000")
                .add()
                .property()
                .name(USAGE_BATCH_SIZE)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Most usage events written in one transaction.")
                .defaultValue("1000")
                .add()
                .property()
                .name(USAGE_BATCH_WAIT_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How long, in milliseconds, the first event of a batch waits for more before the batch is "
                        + "written (at most usage-flush-interval-ms; 0 writes at once).")
                .defaultValue("100")
                .add()
                .property()
                .name(BUDGET_REFRESH_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText(
                        "How long, in milliseconds, a node trusts the month's spend of a user with a budget it read from "
                                + "the database before reading it again (its own calls are added in between).")
                .defaultValue("10000")
                .add()
                .property()
                .name(BYOK_REFRESH_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText(
                        "How long, in milliseconds, a node trusts the list of a user's own (BYOK) keys it read from the "
                                + "database. Changes made through the same node apply at once; through another node, within this time.")
                .defaultValue("10000")
                .add()
                .property()
                .name(USAGE_RETENTION_DAYS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How many days raw usage events (the CSV export's rows) are kept; 0 keeps them forever. "
                        + "The rollups behind charts, trends and budgets are kept whatever this says.")
                .defaultValue("90")
                .add()
                .property()
                .name(USAGE_MAINTENANCE_INTERVAL_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How often, in milliseconds, one node of the cluster deletes expired usage events, prunes "
                        + "hourly rollups and records each realm's daily snapshot.")
                .defaultValue("3600000")
                .add()
                .property()
                .name(PROVIDER_HEALTH_INTERVAL_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How often, in milliseconds, one node of the cluster tests again the providers whose last "
                        + "test or call failed, and routes to them normally once they answer.")
                .defaultValue("60000")
                .add()
                .property()
                .name(REFUSAL_EVENT_INTERVAL_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Refused gateway calls (budget, level, rate limit, own key) become admin events: at most one "
                        + "per user and reason per node within this time, in milliseconds; the next one carries the "
                        + "count of those left out.")
                .defaultValue("60000")
                .add()
                .property()
                .name(TOKEN_CACHE_MS)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How long a node trusts a bearer token it verified in full for gateway calls, in "
                        + "milliseconds (0: verify every call in full). Disabled users and clients and not-before "
                        + "revocations (also an administrator's sign-out of a user) are refused at once; a session "
                        + "ended otherwise or a revoked token within this time.")
                .defaultValue("10000")
                .add()
                .property()
                .name(TOKEN_CACHE_SIZE)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("How many verified bearer tokens a node keeps at most (about 2 KB each).")
                .defaultValue("10000")
                .add()
                .property()
                .name(OUTBOUND_ALLOW)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Addresses the server may connect to besides public ones (provider base URLs, connection "
                        + "tests, gateway calls), comma-separated: 'loopback', 'private', a network (10.0.0.0/8), an "
                        + "address, a host name (llm.internal) or '*.' and a domain. Link-local addresses only by a "
                        + "link-local network or address; cloud metadata addresses never.")
                .add()
                .property()
                .name(OUTBOUND_DENY)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Networks, addresses or host names the server never connects to, even public ones "
                        + "(comma-separated).")
                .add()
                .property()
                .name(MAX_BODY_BYTES)
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Largest request body, in bytes, the admin API accepts.")
                .defaultValue("65536")
                .add()
                .build();
    }

    @Override
    public void close() {}

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
